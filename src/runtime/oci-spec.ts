// Builds the OCI runtime-spec config.json for a container, with Docker's
// default restrictions: a fresh pid/mount/ipc/uts/network/cgroup namespace
// set, Docker's default capability set, no_new_privs, Docker's seccomp
// profile, masked and read-only /proc paths and a read-only /sys. Pure, apart
// from reading the default seccomp profile once.
import type { ContainerRunSpec } from '../machines/container.js';
import { userMountEntries } from './user-mounts.js';
import { DEFAULT_CAPABILITIES, capabilitySet, hostBoundingSet } from './capabilities.js';
import { applyHostOptions, ociRlimits } from './resources.js';
import { applySecurityOpts, execNoNewPrivileges } from './security-spec.js';
import { defaultSeccompProfile } from './seccomp-profile.js';
import type { HostOptions } from './host-options.js';
import { hostDevices, mappedDevices } from './host-devices.js';
import { applyNamespaceOptions, type SharedShm } from './namespace-options.js';

export { DEFAULT_CAPABILITIES };

export const MASKED_PATHS = [
  '/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats',
  '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware',
];

export const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

export interface OciSpecOptions {
  /** cgroup path for the container, e.g. /berth/<id> */
  cgroupsPath: string;
  /** the host's berth-init binary, for `run --init` */
  initBinary?: string;
  /** the seccomp profile when --security-opt names none (default: Docker's); null: none */
  seccompDefault?: Record<string, unknown> | null;
  /** the pid of a running container (for --pid/--ipc container:ID), or null */
  containerPid?: (id: string) => number | null;
  /** host directories of shareable /dev/shm mounts (--ipc shareable, container:ID) */
  sharedShm?: SharedShm;
}

/** The process.json of an exec into a container: the container's restrictions (capabilities, rlimits, no_new_privs), the exec's command; every capability for a privileged exec. */
export function buildExecProcess(p: { args: string[]; env: string[]; cwd: string; user: { uid: number; gid: number; additionalGids?: number[] }; tty: boolean; host?: HostOptions; privileged?: boolean }): Record<string, unknown> {
  const host = p.host ?? {};
  const caps = p.host || p.privileged ? capabilitySet({ ...host, privileged: p.privileged === true || host.privileged === true }, hostBoundingSet()) : [...DEFAULT_CAPABILITIES];
  const rlimits = ociRlimits(host);
  return {
    terminal: p.tty,
    user: p.user,
    args: p.args,
    env: p.env,
    cwd: p.cwd,
    capabilities: { bounding: caps, effective: caps, permitted: caps },
    ...(rlimits.length ? { rlimits } : {}),
    noNewPrivileges: execNoNewPrivileges(p.host),
  };
}

/** --privileged: every host device; --device: the mapped ones, with cgroup rules allowing them. */
function addDevices(oci: Record<string, unknown>, h: HostOptions | undefined): void {
  const linux = oci.linux as { devices?: unknown[]; resources: { devices?: unknown[] } };
  if (h?.privileged) linux.devices = hostDevices();
  if (!h?.devices?.length) return;
  const mapped = mappedDevices(h.devices);
  oci.mounts = [...(oci.mounts as unknown[]), ...mapped.mounts];
  if (!h.privileged) linux.resources.devices = [...(linux.resources.devices ?? []), ...mapped.rules];
}

export function buildOciSpec(spec: ContainerRunSpec, opts: OciSpecOptions): Record<string, unknown> {
  const caps = [...DEFAULT_CAPABILITIES];
  const oci: Record<string, unknown> = {
    ociVersion: '1.0.2',
    process: {
      terminal: spec.tty === true,
      user: spec.user,
      args: spec.args,
      env: spec.env,
      cwd: spec.cwd,
      capabilities: { bounding: caps, effective: caps, permitted: caps },
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: false },
    hostname: spec.hostname,
    ...(spec.domainname ? { domainname: spec.domainname } : {}),
    ...(spec.annotations ? { annotations: spec.annotations } : {}),
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      ...userMountEntries(spec.mounts),
    ],
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'network' }, { type: 'cgroup' }],
      cgroupsPath: opts.cgroupsPath,
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      maskedPaths: MASKED_PATHS,
      readonlyPaths: READONLY_PATHS,
    },
  };
  const withHost = spec.host ? applyHostOptions(oci, spec.host, hostBoundingSet(), opts.initBinary) : oci;
  if (spec.host) applyNamespaceOptions(withHost, spec.host, opts.containerPid ?? (() => null), opts.sharedShm);
  addDevices(withHost, spec.host);
  return applySecurityOpts(withHost, spec.host, opts.seccompDefault === undefined ? defaultSeccompProfile() : (opts.seccompDefault ?? undefined));
}
