// Parses run/create's resource and security flags (-m, --memory-swap, --cpus,
// --cpu-shares, --cpuset-cpus, --pids-limit, --ulimit, --cap-add, --privileged,
// --read-only, --tmpfs, ...) into HostOptions with Docker's syntax and
// messages. The daemon checks the values again (src/runtime/host-options.ts).
import { BerthError } from '../../../src/errors.js';
import type { HostOptions, Ulimit } from '../../../src/runtime/host-options.js';
import { parseDevice, securityOpts } from './security-flags.js';

export interface ResourceFlags {
  memory?: string;
  memorySwap?: string;
  memoryReservation?: string;
  cpus?: string;
  cpuShares?: string;
  cpuPeriod?: string;
  cpuQuota?: string;
  cpusetCpus?: string;
  cpusetMems?: string;
  pidsLimit?: string;
  ulimit?: string[];
  oomScoreAdj?: string;
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  readOnly?: boolean;
  tmpfs?: string[];
  init?: boolean;
  securityOpt?: string[];
  device?: string[];
  pid?: string;
  ipc?: string;
  uts?: string;
  cgroupns?: string;
  shmSize?: string;
  sysctl?: string[];
  groupAdd?: string[];
}

function flagError(value: string, flag: string, why: string): never {
  throw new BerthError('invalid_argument', `invalid argument "${value}" for "${flag}" flag: ${why}`);
}

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/** Docker's RAMInBytes: "512m", "1.5g", "64kb", "1048576" → bytes (binary units). */
export function parseBytes(value: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgtp]?)(b?)\s*$/i.exec(value);
  if (!m) flagError(value, flag, `invalid size: '${value}' (use a number with an optional unit b, k, m or g, e.g. 512m)`);
  const unit = (m[2] || m[3]).toLowerCase();
  return Math.floor(Number(m[1]) * UNITS[unit]);
}

function parseInteger(value: string, flag: string): number {
  if (!/^-?\d+$/.test(value.trim())) flagError(value, flag, `strconv.ParseInt: parsing "${value}": invalid syntax (use a whole number)`);
  return Number(value);
}

/** --cpus 1.5 → 1_500_000_000 nano CPUs. */
export function parseCpus(value: string): number {
  if (!/^\s*\d*(?:\.\d+)?\s*$/.test(value) || value.trim() === '' || value.trim() === '.') {
    flagError(value, '--cpus', `failed to parse ${value} as a rational number (e.g. --cpus 1.5)`);
  }
  return Math.round(Number(value) * 1e9);
}

/** --ulimit nofile=1024[:2048]; the soft limit alone sets both. */
export function parseUlimit(value: string): Ulimit {
  const m = /^([a-z]+)=(\d+)(?::(\d+))?$/.exec(value.trim());
  if (!m) flagError(value, '--ulimit', `invalid ulimit argument: ${value} (use NAME=SOFT[:HARD], e.g. nofile=1024:2048)`);
  const soft = Number(m[2]);
  const hard = m[3] !== undefined ? Number(m[3]) : soft;
  return { Name: m[1], Soft: soft, Hard: hard };
}

/** --tmpfs /run[:rw,size=64m] → mount point and options; a later one for the same path wins. */
export function parseTmpfs(entries: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of entries) {
    const colon = entry.indexOf(':');
    const path = colon >= 0 ? entry.slice(0, colon) : entry;
    if (!path.startsWith('/')) flagError(entry, '--tmpfs', `invalid mount point "${path}": it must be an absolute path, e.g. --tmpfs /run:size=64m`);
    out[path] = colon >= 0 ? entry.slice(colon + 1) : '';
  }
  return out;
}

/** The HostOptions the flags ask for, or undefined when none was given. */
/** --sysctl NAME=VALUE (repeatable) → a map; the last value of a name wins. */
function parseSysctls(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of list) {
    const i = s.indexOf('=');
    if (i <= 0) flagError(s, '--sysctl', 'use NAME=VALUE, e.g. net.ipv4.ip_unprivileged_port_start=0');
    out[s.slice(0, i).trim()] = s.slice(i + 1);
  }
  return out;
}

export function toHostOptions(f: ResourceFlags): HostOptions | undefined {
  const h: HostOptions = {};
  if (f.memory !== undefined) h.memory = parseBytes(f.memory, '-m, --memory');
  if (f.memorySwap !== undefined) h.memorySwap = f.memorySwap.trim() === '-1' ? -1 : parseBytes(f.memorySwap, '--memory-swap');
  if (f.memoryReservation !== undefined) h.memoryReservation = parseBytes(f.memoryReservation, '--memory-reservation');
  if (f.cpus !== undefined) h.nanoCpus = parseCpus(f.cpus);
  if (f.cpuShares !== undefined) h.cpuShares = parseInteger(f.cpuShares, '-c, --cpu-shares');
  if (f.cpuPeriod !== undefined) h.cpuPeriod = parseInteger(f.cpuPeriod, '--cpu-period');
  if (f.cpuQuota !== undefined) h.cpuQuota = parseInteger(f.cpuQuota, '--cpu-quota');
  if (f.cpusetCpus !== undefined) h.cpusetCpus = f.cpusetCpus;
  if (f.cpusetMems !== undefined) h.cpusetMems = f.cpusetMems;
  if (f.pidsLimit !== undefined) h.pidsLimit = parseInteger(f.pidsLimit, '--pids-limit');
  if (f.oomScoreAdj !== undefined) h.oomScoreAdj = parseInteger(f.oomScoreAdj, '--oom-score-adj');
  if (f.ulimit?.length) h.ulimits = f.ulimit.map(parseUlimit);
  if (f.capAdd?.length) h.capAdd = f.capAdd;
  if (f.capDrop?.length) h.capDrop = f.capDrop;
  if (f.privileged) h.privileged = true;
  if (f.readOnly) h.readonlyRootfs = true;
  if (f.tmpfs?.length) h.tmpfs = parseTmpfs(f.tmpfs);
  if (f.init) h.init = true;
  if (f.securityOpt?.length) h.securityOpt = securityOpts(f.securityOpt);
  if (f.device?.length) h.devices = f.device.map(parseDevice);
  if (f.pid !== undefined) h.pidMode = f.pid;
  if (f.ipc !== undefined) h.ipcMode = f.ipc;
  if (f.uts !== undefined) h.utsMode = f.uts;
  if (f.cgroupns !== undefined) h.cgroupnsMode = f.cgroupns;
  if (f.shmSize !== undefined) h.shmSize = parseBytes(f.shmSize, '--shm-size');
  if (f.sysctl?.length) h.sysctls = parseSysctls(f.sysctl);
  if (f.groupAdd?.length) h.groupAdd = f.groupAdd;
  return Object.keys(h).length > 0 ? h : undefined;
}
