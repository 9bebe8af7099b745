// Docker's namespace and kernel-parameter options of one container: --pid
// (host, or another container's), --ipc (private, shareable, host, none, or
// another shareable container's), --uts host, --cgroupns (private, host),
// --shm-size, --sysctl and --group-add. Their checks (pure) and their effect on the OCI spec (given
// how to find a running container's pid).
import { BerthError } from '../errors.js';

export interface NamespaceOptions {
  /** "host" or "container:ID" (a name is resolved to the id at create) */
  pidMode?: string;
  /**
   * "private" (default), "shareable" (its /dev/shm is a tmpfs on the host that
   * other containers may join), "container:ID" (join a shareable container's
   * IPC namespace and /dev/shm), "host" or "none"
   */
  ipcMode?: string;
  /** "host" */
  utsMode?: string;
  /** "private" (the default: the container sees its own cgroup as the root) or "host" */
  cgroupnsMode?: string;
  /** size of /dev/shm in bytes (Docker's default 64 MiB) */
  shmSize?: number;
  sysctls?: Record<string, string>;
  /** extra groups of the process: names from the image's /etc/group, or numbers */
  groupAdd?: string[];
}

type Json = Record<string, unknown>;

function bad(message: string): never {
  throw new BerthError('invalid_argument', message);
}

/** Sysctls with a namespace of their own (what runc lets a container set): the IPC ones and net.*. */
const IPC_SYSCTLS = new Set(['kernel.msgmax', 'kernel.msgmnb', 'kernel.msgmni', 'kernel.sem', 'kernel.shmall', 'kernel.shmmax', 'kernel.shmmni', 'kernel.shm_rmid_forced']);
const isIpcSysctl = (k: string) => IPC_SYSCTLS.has(k) || k.startsWith('fs.mqueue.');

const containerRef = (mode: string | undefined) => (mode?.startsWith('container:') ? mode.slice('container:'.length) : undefined);

/** Checks the values alone (the daemon resolves container references and checks the network afterwards). */
export function checkNamespaceOptions(h: NamespaceOptions): void {
  const pid = h.pidMode;
  if (pid !== undefined && pid !== '' && pid !== 'host' && !containerRef(pid)) bad(`invalid --pid "${pid}": use host or container:NAME`);
  const ipc = h.ipcMode;
  if (containerRef(ipc) === '') bad('invalid --ipc "container:": name the container, e.g. container:db');
  if (ipc !== undefined && !containerRef(ipc) && !['', 'private', 'shareable', 'host', 'none'].includes(ipc)) bad(`invalid --ipc "${ipc}": use private, shareable, host, none or container:NAME`);
  if (h.utsMode !== undefined && h.utsMode !== '' && h.utsMode !== 'host') bad(`invalid --uts "${h.utsMode}": use host`);
  if (h.cgroupnsMode !== undefined && !['', 'private', 'host'].includes(h.cgroupnsMode)) bad(`invalid --cgroupns "${h.cgroupnsMode}": use private or host`);
  if (h.shmSize !== undefined && (!Number.isInteger(h.shmSize) || h.shmSize <= 0)) bad(`invalid --shm-size ${h.shmSize}: it must be a size above 0, e.g. 256m`);
  for (const key of Object.keys(h.sysctls ?? {})) {
    if (!isIpcSysctl(key) && !key.startsWith('net.')) bad(`sysctl "${key}" is not allowed: it has no namespace of its own, so it would change the host (use kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.* or net.*)`);
    if (isIpcSysctl(key) && h.ipcMode === 'host') bad(`sysctl "${key}" is not allowed with --ipc host: it would change the host`);
    if (isIpcSysctl(key) && containerRef(h.ipcMode)) bad(`sysctl "${key}" is not allowed with --ipc ${h.ipcMode}: set it on that container`);
  }
  for (const g of h.groupAdd ?? []) if (g === '' || g.includes(':')) bad(`invalid --group-add "${g}": use a group name or number`);
}

/** The same options with container names replaced by ids. */
export function resolveContainerRefs(h: NamespaceOptions, findContainer: (ref: string) => string): NamespaceOptions {
  const resolve = (mode: string | undefined) => {
    const ref = containerRef(mode);
    return ref === undefined ? mode : `container:${findContainer(ref)}`;
  };
  return { ...h, ...(h.pidMode !== undefined ? { pidMode: resolve(h.pidMode) } : {}), ...(h.ipcMode !== undefined ? { ipcMode: resolve(h.ipcMode) } : {}) };
}

/** Checks against the container's network mode and hostname, as dockerd does. */
export function checkAgainstNetwork(h: NamespaceOptions, networkMode: string | undefined, hostnameGiven: boolean): void {
  if (h.utsMode === 'host' && hostnameGiven) bad('Conflicting options: --hostname and --uts host: a container on the host\'s UTS namespace has the host\'s name');
  if (networkMode === 'host') {
    const net = Object.keys(h.sysctls ?? {}).find((k) => k.startsWith('net.'));
    if (net) bad(`sysctl "${net}" is not allowed with --network host: it would change the host`);
  }
}

/** The pid namespace entry for a mode: dropped (host), joined (container:ID), or kept. */
function namespaceFor(linux: Json, type: string, mode: string | undefined, containerPid: (id: string) => number | null): void {
  const ns = linux.namespaces as { type: string; path?: string }[];
  if (mode === 'host') {
    linux.namespaces = ns.filter((n) => n.type !== type);
    return;
  }
  const ref = containerRef(mode);
  if (ref === undefined) return;
  const pid = containerPid(ref);
  if (!pid) throw new BerthError('conflict', `cannot join the ${type} namespace of container ${ref.slice(0, 12)}: it is not running`);
  linux.namespaces = [...ns.filter((n) => n.type !== type), { type, path: `/proc/${pid}/ns/${type}` }];
}

/** Where shareable /dev/shm directories are on the host. */
export interface SharedShm {
  /** this container's, for --ipc shareable */
  own: string;
  /** a running shareable container's, or null when it is not running or not shareable */
  of: (id: string) => string | null;
}

const bindShm = (source: string): Json => ({ destination: '/dev/shm', type: 'bind', source, options: ['rbind', 'nosuid', 'noexec', 'nodev'] });

/** Applies the options to an OCI spec built with private namespaces and Docker's /dev/shm. */
export function applyNamespaceOptions(spec: Json, h: NamespaceOptions, containerPid: (id: string) => number | null, shm?: SharedShm): void {
  const linux = spec.linux as Json;
  namespaceFor(linux, 'pid', h.pidMode, containerPid);
  const donor = containerRef(h.ipcMode);
  let donorShm: string | null = null;
  if (donor !== undefined) {
    donorShm = shm?.of(donor) ?? null;
    if (donorShm === null && containerPid(donor)) {
      throw new BerthError('conflict', `cannot join the IPC namespace of container ${donor.slice(0, 12)}: its IPC is not shareable (run it with --ipc shareable)`);
    }
    namespaceFor(linux, 'ipc', h.ipcMode, containerPid);
  }
  if (h.ipcMode === 'host') linux.namespaces = (linux.namespaces as { type: string }[]).filter((n) => n.type !== 'ipc');
  if (h.cgroupnsMode === 'host') linux.namespaces = (linux.namespaces as { type: string }[]).filter((n) => n.type !== 'cgroup');
  if (h.utsMode === 'host') {
    linux.namespaces = (linux.namespaces as { type: string }[]).filter((n) => n.type !== 'uts');
    delete spec.hostname; // the runtime sets a hostname only in a UTS namespace of the container's own
  }
  let mounts = spec.mounts as Json[];
  const shmSource = h.ipcMode === 'host' ? '/dev/shm' : h.ipcMode === 'shareable' && shm ? shm.own : donorShm;
  if (h.ipcMode === 'none') mounts = mounts.filter((m) => m.destination !== '/dev/shm');
  else if (shmSource !== null) mounts = mounts.map((m) => (m.destination === '/dev/shm' ? bindShm(shmSource) : m));
  else if (h.shmSize !== undefined) {
    mounts = mounts.map((m) => (m.destination === '/dev/shm' ? { ...m, options: [...(m.options as string[]).filter((o) => !o.startsWith('size=')), `size=${Math.ceil(h.shmSize! / 1024)}k`] } : m));
  }
  spec.mounts = mounts;
  if (h.sysctls && Object.keys(h.sysctls).length > 0) linux.sysctl = { ...(linux.sysctl as Json | undefined), ...h.sysctls };
}
