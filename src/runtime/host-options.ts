// Docker's HostConfig resource and security settings of one container
// (`run -m/--cpus/--pids-limit/--ulimit/--cap-add/--privileged/--read-only/
// --tmpfs ...`): their shape on the wire and in the persisted run spec, and
// the daemon's checks of them. Pure, apart from reading the host's CPU count.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { BerthError } from '../errors.js';
import { ALL_CAPABILITIES, normalizeCapability } from './capabilities.js';
import { parseSecurityOpts } from './security-opts.js';
import { checkDeviceMapping, type DeviceMapping } from './host-devices.js';
import { checkNamespaceOptions, type NamespaceOptions } from './namespace-options.js';

export interface Ulimit { Name: string; Soft: number; Hard: number }

export interface HostOptions extends NamespaceOptions {
  memory?: number;
  /** memory + swap; -1 is unlimited */
  memorySwap?: number;
  memoryReservation?: number;
  nanoCpus?: number;
  cpuShares?: number;
  cpuPeriod?: number;
  cpuQuota?: number;
  cpusetCpus?: string;
  /** NUMA memory nodes the container may allocate from (cpuset.mems) */
  cpusetMems?: string;
  pidsLimit?: number;
  ulimits?: Ulimit[];
  oomScoreAdj?: number;
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  readonlyRootfs?: boolean;
  /** mount point → tmpfs options ("" for the defaults) */
  tmpfs?: Record<string, string>;
  /** run berth-init as pid 1 (`run --init`) */
  init?: boolean;
  /** Docker's HostConfig.SecurityOpt (`--security-opt`; seccomp=… holds the profile's JSON), src/runtime/security-opts.ts */
  securityOpt?: string[];
  /** `--device` mappings (src/runtime/host-devices.ts) */
  devices?: DeviceMapping[];
}

/** Docker's minimum for --memory. */
export const MIN_MEMORY = 6 * 1024 * 1024;

/** Docker's --ulimit names → the kernel's resource names. */
export const ULIMIT_NAMES: Record<string, string> = {
  core: 'RLIMIT_CORE', cpu: 'RLIMIT_CPU', data: 'RLIMIT_DATA', fsize: 'RLIMIT_FSIZE', locks: 'RLIMIT_LOCKS',
  memlock: 'RLIMIT_MEMLOCK', msgqueue: 'RLIMIT_MSGQUEUE', nice: 'RLIMIT_NICE', nofile: 'RLIMIT_NOFILE',
  nproc: 'RLIMIT_NPROC', rss: 'RLIMIT_RSS', rtprio: 'RLIMIT_RTPRIO', rttime: 'RLIMIT_RTTIME',
  sigpending: 'RLIMIT_SIGPENDING', stack: 'RLIMIT_STACK',
};

function bad(message: string): never {
  throw new BerthError('invalid_argument', message);
}

/** "0-3,5" → the CPU numbers it names; throws on bad syntax. */
export function parseCpuList(list: string, what = 'cpuset cpus'): number[] {
  const cpus: number[] = [];
  for (const part of list.split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) bad(`invalid value ${list} for ${what}: use a list like 0-2,4`);
    const from = Number(m[1]);
    const to = m[2] !== undefined ? Number(m[2]) : from;
    if (to < from) bad(`invalid value ${list} for ${what}: the range ${part} runs backwards`);
    for (let c = from; c <= to; c++) cpus.push(c);
  }
  return cpus;
}

function checkMemory(h: HostOptions): void {
  if (h.memory !== undefined && h.memory !== 0 && h.memory < MIN_MEMORY) bad('Minimum memory limit allowed is 6MB');
  if (h.memorySwap !== undefined && h.memorySwap !== 0 && h.memorySwap !== -1) {
    if (!h.memory) bad('You should always set the Memory limit when using Memoryswap limit, see usage');
    if (h.memorySwap < h.memory) bad('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (h.memoryReservation !== undefined && h.memoryReservation !== 0) {
    if (h.memoryReservation < MIN_MEMORY) bad('Minimum memory reservation allowed is 6MB');
    if (h.memory && h.memory < h.memoryReservation) bad('Minimum memory limit can not be less than memory reservation limit, see usage');
  }
}

/** The host's online NUMA memory nodes (node 0 when the kernel does not say). */
function onlineMemNodes(): number[] {
  try {
    return parseCpuList(readFileSync('/sys/devices/system/node/online', 'utf8').trim());
  } catch {
    return [0];
  }
}

function checkCpu(h: HostOptions, hostCpus: number): void {
  if (h.nanoCpus !== undefined && h.nanoCpus !== 0) {
    if (h.cpuQuota || h.cpuPeriod) bad('Conflicting options: Nano CPUs and CPU Period cannot both be set');
    if (h.nanoCpus < 0 || h.nanoCpus > hostCpus * 1e9) bad(`Range of CPUs is from 0.01 to ${hostCpus}.00, as there are only ${hostCpus} CPUs available`);
  }
  if (h.cpuPeriod !== undefined && h.cpuPeriod !== 0 && (h.cpuPeriod < 1000 || h.cpuPeriod > 1000000)) bad('CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)');
  if (h.cpuQuota !== undefined && h.cpuQuota > 0 && h.cpuQuota < 1000) bad('CPU cfs quota can not be less than 1ms (i.e. 1000)');
  if (h.cpuShares !== undefined && h.cpuShares < 0) bad(`invalid --cpu-shares ${h.cpuShares}: it must not be negative`);
  if (h.cpusetCpus !== undefined && h.cpusetCpus !== '') {
    const missing = parseCpuList(h.cpusetCpus).filter((c) => c >= hostCpus);
    if (missing.length > 0) bad(`Requested CPUs are not available - requested ${h.cpusetCpus}, available: 0-${hostCpus - 1}`);
  }
  if (h.cpusetMems !== undefined && h.cpusetMems !== '') {
    const online = onlineMemNodes();
    const missing = parseCpuList(h.cpusetMems, 'cpuset mems').filter((n) => !online.includes(n));
    if (missing.length > 0) bad(`Requested memory nodes are not available - requested ${h.cpusetMems}, available: ${online.join(',')}`);
  }
}

function checkCaps(list: string[] | undefined, flag: string): void {
  for (const name of list ?? []) {
    const cap = normalizeCapability(name);
    if (cap !== 'ALL' && !ALL_CAPABILITIES.includes(cap)) bad(`invalid ${flag} value "${name}": unknown capability (use names like NET_ADMIN, CAP_SYS_TIME or ALL)`);
  }
}

/** The daemon's checks, whatever client sent the options. */
export function checkHostOptions(h: HostOptions, hostCpus = availableParallelism()): HostOptions {
  checkMemory(h);
  checkCpu(h, hostCpus);
  if (h.pidsLimit !== undefined && !Number.isInteger(h.pidsLimit)) bad(`invalid --pids-limit ${h.pidsLimit}: use a whole number (0 or -1 for unlimited)`);
  if (h.oomScoreAdj !== undefined && (!Number.isInteger(h.oomScoreAdj) || h.oomScoreAdj < -1000 || h.oomScoreAdj > 1000)) {
    bad(`Invalid value ${h.oomScoreAdj}, range for oom score adj is [-1000, 1000]`);
  }
  for (const u of h.ulimits ?? []) {
    if (!ULIMIT_NAMES[u.Name]) bad(`invalid ulimit type: ${u.Name} (use one of ${Object.keys(ULIMIT_NAMES).join(', ')})`);
    if (!Number.isInteger(u.Soft) || !Number.isInteger(u.Hard) || u.Soft < 0 || u.Hard < 0) bad(`invalid ulimit ${u.Name}: soft and hard must be whole numbers of 0 or more (unlimited is not supported)`);
    if (u.Soft > u.Hard) bad(`ulimit soft limit must be less than or equal to hard limit: ${u.Soft} > ${u.Hard}`);
  }
  checkCaps(h.capAdd, '--cap-add');
  checkCaps(h.capDrop, '--cap-drop');
  for (const path of Object.keys(h.tmpfs ?? {})) {
    if (!path.startsWith('/')) bad(`invalid --tmpfs mount point "${path}": it must be an absolute path`);
    if (path === '/') bad('invalid --tmpfs mount point "/": the root filesystem cannot be a tmpfs');
  }
  if (h.securityOpt !== undefined) parseSecurityOpts(h.securityOpt);
  for (const d of h.devices ?? []) checkDeviceMapping(d);
  checkNamespaceOptions(h);
  return h;
}
