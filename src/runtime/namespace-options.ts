// Docker's namespace and kernel-parameter options of one container: --pid
// (host, or another container's), --ipc (host, none), --uts host,
// --shm-size, --sysctl and --group-add. Their checks (pure) and their effect on the OCI spec (given
// how to find a running container's pid).
import { BerthError } from '../errors.js';

export interface NamespaceOptions {
  /** "host" or "container:ID" (a name is resolved to the id at create) */
  pidMode?: string;
  /** "private" (default; "shareable" is taken as it), "host" or "none" */
  ipcMode?: string;
  /** "host" */
  utsMode?: string;
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
  // Sharing /dev/shm needs it to be a mount on the host (another mount namespace's cannot be bind-mounted): not done yet.
  if (containerRef(ipc) !== undefined) bad(`--ipc ${ipc} is not supported by Berth yet: use --ipc host, or share through a volume mounted on /dev/shm in both containers`);
  if (ipc !== undefined && !['', 'private', 'shareable', 'host', 'none'].includes(ipc)) bad(`invalid --ipc "${ipc}": use private, shareable, host or none`);
  if (h.utsMode !== undefined && h.utsMode !== '' && h.utsMode !== 'host') bad(`invalid --uts "${h.utsMode}": use host`);
  if (h.shmSize !== undefined && (!Number.isInteger(h.shmSize) || h.shmSize <= 0)) bad(`invalid --shm-size ${h.shmSize}: it must be a size above 0, e.g. 256m`);
  for (const key of Object.keys(h.sysctls ?? {})) {
    if (!isIpcSysctl(key) && !key.startsWith('net.')) bad(`sysctl "${key}" is not allowed: it has no namespace of its own, so it would change the host (use kernel.msg*, kernel.sem, kernel.shm*, fs.mqueue.* or net.*)`);
    if (isIpcSysctl(key) && h.ipcMode === 'host') bad(`sysctl "${key}" is not allowed with --ipc host: it would change the host`);
  }
  for (const g of h.groupAdd ?? []) if (g === '' || g.includes(':')) bad(`invalid --group-add "${g}": use a group name or number`);
}

/** The same options with container names replaced by ids. */
export function resolveContainerRefs(h: NamespaceOptions, findContainer: (ref: string) => string): NamespaceOptions {
  const resolve = (mode: string | undefined) => {
    const ref = containerRef(mode);
    return ref === undefined ? mode : `container:${findContainer(ref)}`;
  };
  return { ...h, ...(h.pidMode !== undefined ? { pidMode: resolve(h.pidMode) } : {}) };
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

/** Applies the options to an OCI spec built with private namespaces and Docker's /dev/shm. */
export function applyNamespaceOptions(spec: Json, h: NamespaceOptions, containerPid: (id: string) => number | null): void {
  const linux = spec.linux as Json;
  namespaceFor(linux, 'pid', h.pidMode, containerPid);
  if (h.ipcMode === 'host') linux.namespaces = (linux.namespaces as { type: string }[]).filter((n) => n.type !== 'ipc');
  if (h.utsMode === 'host') {
    linux.namespaces = (linux.namespaces as { type: string }[]).filter((n) => n.type !== 'uts');
    delete spec.hostname; // the runtime sets a hostname only in a UTS namespace of the container's own
  }
  let mounts = spec.mounts as Json[];
  if (h.ipcMode === 'none') mounts = mounts.filter((m) => m.destination !== '/dev/shm');
  else if (h.ipcMode === 'host') mounts = mounts.map((m) => (m.destination === '/dev/shm' ? { destination: '/dev/shm', type: 'bind', source: '/dev/shm', options: ['rbind', 'nosuid', 'noexec', 'nodev'] } : m));
  else if (h.shmSize !== undefined) {
    mounts = mounts.map((m) => (m.destination === '/dev/shm' ? { ...m, options: [...(m.options as string[]).filter((o) => !o.startsWith('size=')), `size=${Math.ceil(h.shmSize! / 1024)}k`] } : m));
  }
  spec.mounts = mounts;
  if (h.sysctls && Object.keys(h.sysctls).length > 0) linux.sysctl = { ...(linux.sysctl as Json | undefined), ...h.sysctls };
}
