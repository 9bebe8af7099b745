// Puts a container's HostOptions into its OCI config.json: cgroup limits
// (linux.resources), rlimits, oom_score_adj, capabilities, --privileged,
// --read-only, --tmpfs mounts and --init. Pure.
import type { HostOptions } from './host-options.js';
import { ULIMIT_NAMES } from './host-options.js';
import { capabilitySet } from './capabilities.js';

type Json = Record<string, unknown>;

/** Docker's default CFS period when --cpus is given. */
export const CPU_PERIOD = 100000;

export function ociResources(h: HostOptions): Json {
  const out: Json = {};
  const memory: Json = {};
  if (h.memory) memory.limit = h.memory;
  if (h.memorySwap) memory.swap = h.memorySwap;
  else if (h.memory) memory.swap = h.memory * 2; // Docker: swap defaults to as much as the memory limit
  if (h.memoryReservation) memory.reservation = h.memoryReservation;
  if (Object.keys(memory).length > 0) out.memory = memory;
  const cpu: Json = {};
  if (h.cpuShares) cpu.shares = h.cpuShares;
  if (h.nanoCpus) {
    cpu.period = CPU_PERIOD;
    cpu.quota = Math.round((h.nanoCpus * CPU_PERIOD) / 1e9);
  }
  if (h.cpuPeriod) cpu.period = h.cpuPeriod;
  if (h.cpuQuota) cpu.quota = h.cpuQuota;
  if (h.cpusetCpus) cpu.cpus = h.cpusetCpus;
  if (h.cpusetMems) cpu.mems = h.cpusetMems;
  if (Object.keys(cpu).length > 0) out.cpu = cpu;
  if (h.pidsLimit !== undefined && h.pidsLimit !== 0) out.pids = { limit: h.pidsLimit > 0 ? h.pidsLimit : -1 };
  return out;
}

export function ociRlimits(h: HostOptions): Json[] {
  return (h.ulimits ?? []).map((u) => ({ type: ULIMIT_NAMES[u.Name], soft: u.Soft, hard: u.Hard }));
}

export function tmpfsMounts(h: HostOptions): Json[] {
  return Object.entries(h.tmpfs ?? {}).map(([destination, opts]) => {
    const extra = opts === '' ? [] : opts.split(',');
    // Docker's defaults, which the user's options can override.
    const base = ['nosuid', 'nodev', 'noexec'].filter((o) => !extra.some((e) => e === o.slice(2) || e === o));
    return { destination, type: 'tmpfs', source: 'tmpfs', options: [...base, ...extra] };
  });
}

/** Where `run --init` mounts berth-init, as Docker mounts docker-init. */
export const INIT_PATH = '/sbin/docker-init';

/** Changes `spec` (a config.json built with Docker's defaults) to honour `h`. */
export function applyHostOptions(spec: Json, h: HostOptions | undefined, hostCaps: string[], initBinary?: string): Json {
  if (!h) return spec;
  const process = spec.process as Json;
  const linux = spec.linux as Json;
  const caps = capabilitySet(h, hostCaps);
  process.capabilities = { bounding: caps, effective: caps, permitted: caps };
  const rlimits = ociRlimits(h);
  if (rlimits.length > 0) process.rlimits = rlimits;
  if (h.oomScoreAdj !== undefined) process.oomScoreAdj = h.oomScoreAdj;
  linux.resources = { ...(linux.resources as Json), ...ociResources(h) };
  if (h.readonlyRootfs) (spec.root as Json).readonly = true;
  let mounts = spec.mounts as Json[];
  const tmpfs = tmpfsMounts(h);
  mounts = [...mounts.filter((m) => !tmpfs.some((t) => t.destination === m.destination)), ...tmpfs];
  if (h.privileged) {
    linux.maskedPaths = [];
    linux.readonlyPaths = [];
    linux.resources = { ...(linux.resources as Json), devices: [{ allow: true, access: 'rwm' }] };
    mounts = mounts.map((m) => (m.destination === '/sys' || m.destination === '/sys/fs/cgroup'
      ? { ...m, options: (m.options as string[]).filter((o) => o !== 'ro').concat('rw') }
      : m));
  }
  if (h.init && initBinary) {
    mounts.push({ destination: INIT_PATH, type: 'bind', source: initBinary, options: ['bind', 'ro', 'nosuid', 'nodev'] });
    process.args = [INIT_PATH, '--', ...(process.args as string[])];
  }
  spec.mounts = mounts;
  return spec;
}
