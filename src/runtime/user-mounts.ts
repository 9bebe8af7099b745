// A container's bind, volume and tmpfs mounts (-v, --mount, image VOLUMEs):
// what the user asked for, what the daemon resolved it to, and the OCI
// config.json "mounts" entries they become. Pure.

/** One -v or --mount, as the CLI sends it. A volume without a source is anonymous. */
export interface MountRequest {
  type: 'bind' | 'volume' | 'tmpfs';
  source?: string;
  target: string;
  readonly?: boolean;
  /** -v creates a missing bind source; --mount refuses it, as Docker does */
  createSource?: boolean;
  /** --mount tmpfs-size= in bytes, tmpfs-mode= in octal */
  tmpfsSize?: number;
  tmpfsMode?: number;
}

/** A mount resolved at creation: fixed in the container's run spec. */
export interface ContainerMount {
  type: 'bind' | 'volume' | 'tmpfs';
  /** host path (bind), volume name (volume), "tmpfs" (tmpfs) */
  source: string;
  target: string;
  readonly: boolean;
  /** the host directory mounted: the bind source or the volume's _data */
  hostPath?: string;
  anonymous?: boolean;
  tmpfsOptions?: string[];
}

/** The OCI "mounts" entries for a container's user mounts, after the defaults. */
export function userMountEntries(mounts: ContainerMount[] | undefined): Record<string, unknown>[] {
  return (mounts ?? []).map((m) =>
    m.type === 'tmpfs'
      ? { destination: m.target, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', ...(m.tmpfsOptions ?? []), ...(m.readonly ? ['ro'] : [])] }
      : { destination: m.target, type: 'bind', source: m.hostPath ?? m.source, options: ['rbind', m.readonly ? 'ro' : 'rw', 'rprivate'] },
  );
}

/** Docker's inspect "Mounts" entries. */
export function inspectMounts(mounts: ContainerMount[] | undefined): Record<string, unknown>[] {
  return (mounts ?? []).map((m) => ({
    Type: m.type,
    ...(m.type === 'volume' ? { Name: m.source, Driver: 'local' } : {}),
    Source: m.type === 'tmpfs' ? '' : m.hostPath ?? m.source,
    Destination: m.target,
    Mode: m.type === 'bind' ? (m.readonly ? 'ro' : '') : m.type === 'volume' ? 'z' : '',
    RW: !m.readonly,
    Propagation: m.type === 'bind' ? 'rprivate' : '',
  }));
}
