// Resource readings of a running container, from its cgroups (v1, v2 or a
// hybrid of both) and /proc, and Docker's arithmetic over two readings.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { totalmem } from 'node:os';
import { BerthError } from '../errors.js';
import { cgroupPathsOf, cgroupPids, readNumber, readText, type CgroupPaths } from '../runtime/cgroup-files.js';
import type { StatsSample } from '../protocol/container-methods.js';

const CLK_TCK = 100;

/** Counters at one moment; a sample is computed from two of them. */
export interface StatsReading {
  cpuNs: number;
  systemNs: number;
  onlineCpus: number;
  memUsage: number;
  memLimit: number;
  pids: number;
  blkRead: number;
  blkWrite: number;
  rx: number;
  tx: number;
}

/** Host CPU time (all cpus, as /proc/stat's first line) in ns, and how many cpus are online. */
async function systemCpu(): Promise<{ ns: number; cpus: number }> {
  const lines = (await readFile('/proc/stat', 'utf8')).split('\n');
  const ns = lines[0].split(/\s+/).slice(1, 8).reduce((a, b) => a + Number(b), 0) * (1e9 / CLK_TCK);
  return { ns, cpus: lines.filter((l) => /^cpu\d/.test(l)).length || 1 };
}

function sumBlkio(text: string): { read: number; write: number } {
  let read = 0;
  let write = 0;
  for (const l of text.split('\n')) {
    const [, op, n] = l.split(' ');
    if (op === 'Read') read += Number(n);
    if (op === 'Write') write += Number(n);
  }
  return { read, write };
}

async function blkio(p: CgroupPaths): Promise<{ read: number; write: number }> {
  const v1 = p.v1.get('blkio');
  const t1 = v1 ? await readText(join(v1, 'blkio.throttle.io_service_bytes_recursive')) : null;
  if (t1 !== null) return sumBlkio(t1);
  let read = 0;
  let write = 0;
  const t2 = p.v2 ? await readText(join(p.v2, 'io.stat')) : null;
  for (const l of (t2 ?? '').split('\n')) {
    read += Number(/rbytes=(\d+)/.exec(l)?.[1] ?? 0);
    write += Number(/wbytes=(\d+)/.exec(l)?.[1] ?? 0);
  }
  return { read, write };
}

/** Bytes received and sent on the container's interfaces but `lo`. */
async function netBytes(pid: number): Promise<{ rx: number; tx: number }> {
  const t = await readText(`/proc/${pid}/net/dev`);
  if (t === null) throw new Error(`process ${pid} is gone`);
  let rx = 0;
  let tx = 0;
  for (const l of t.split('\n').slice(2)) {
    const [iface, rest] = l.split(':');
    if (!rest || iface.trim() === 'lo') continue;
    const f = rest.trim().split(/\s+/).map(Number);
    rx += f[0];
    tx += f[8];
  }
  return { rx, tx };
}

function statField(text: string | null, key: string): number {
  return Number(new RegExp(`^${key} (\\d+)$`, 'm').exec(text ?? '')?.[1] ?? 0);
}

/** Memory in use without the inactive page cache, as Docker's CLI shows it, and the limit (the host's memory when unlimited). */
async function memory(p: CgroupPaths): Promise<{ usage: number; limit: number | null }> {
  const v1 = p.v1.get('memory');
  if (v1) {
    const usage = (await readNumber(join(v1, 'memory.usage_in_bytes'))) ?? 0;
    const inactive = statField(await readText(join(v1, 'memory.stat')), 'total_inactive_file');
    return { usage: inactive < usage ? usage - inactive : usage, limit: await readNumber(join(v1, 'memory.limit_in_bytes')) };
  }
  if (!p.v2) return { usage: 0, limit: null };
  const usage = (await readNumber(join(p.v2, 'memory.current'))) ?? 0;
  const inactive = statField(await readText(join(p.v2, 'memory.stat')), 'inactive_file');
  return { usage: inactive < usage ? usage - inactive : usage, limit: await readNumber(join(p.v2, 'memory.max')) };
}

async function cpuUsageNs(p: CgroupPaths): Promise<number> {
  const acct = p.v1.get('cpuacct');
  const v1 = acct ? await readNumber(join(acct, 'cpuacct.usage')) : null;
  if (v1 !== null) return v1;
  return p.v2 ? statField(await readText(join(p.v2, 'cpu.stat')), 'usage_usec') * 1000 : 0;
}

/** Reads the counters of the container whose init is `initPid`; throws when that process is gone. */
export async function readStats(initPid: number): Promise<StatsReading> {
  const p = await cgroupPathsOf(initPid);
  const pidsDir = p.v1.get('pids') ?? p.v2;
  const [cpuNs, mem, io, net, sys, pidsCurrent] = await Promise.all([
    cpuUsageNs(p),
    memory(p),
    blkio(p),
    netBytes(initPid),
    systemCpu(),
    pidsDir ? readNumber(join(pidsDir, 'pids.current')) : Promise.resolve(null),
  ]);
  const host = totalmem();
  return {
    cpuNs,
    systemNs: sys.ns,
    onlineCpus: sys.cpus,
    memUsage: mem.usage,
    memLimit: mem.limit === null || mem.limit > host ? host : mem.limit,
    pids: pidsCurrent ?? (await cgroupPids(p)).length,
    blkRead: io.read,
    blkWrite: io.write,
    rx: net.rx,
    tx: net.tx,
  };
}

/**
 * A sample from the current reading and, when there is one, the previous: Docker's CPU
 * percentage is (Δ container cpu / Δ host cpu) × online cpus × 100; without a previous reading it is 0.
 */
export function statsSample(id: string, name: string, cur: StatsReading, prev?: StatsReading): StatsSample {
  const dSys = prev ? cur.systemNs - prev.systemNs : 0;
  const dCpu = prev ? cur.cpuNs - prev.cpuNs : 0;
  return {
    id,
    name,
    read: new Date().toISOString(),
    cpuPercent: dSys > 0 && dCpu > 0 ? (dCpu / dSys) * cur.onlineCpus * 100 : 0,
    memoryUsage: cur.memUsage,
    memoryLimit: cur.memLimit,
    memoryPercent: cur.memLimit > 0 ? (cur.memUsage / cur.memLimit) * 100 : 0,
    pids: cur.pids,
    blockRead: cur.blkRead,
    blockWrite: cur.blkWrite,
    netRx: cur.rx,
    netTx: cur.tx,
  };
}

/** What Docker shows for a container that does not run: every figure 0. */
export function idleSample(id: string, name: string): StatsSample {
  return { id, name, read: new Date().toISOString(), cpuPercent: 0, memoryUsage: 0, memoryLimit: 0, memoryPercent: 0, pids: 0, blockRead: 0, blockWrite: 0, netRx: 0, netTx: 0 };
}

/** One sample: two readings `intervalMs` apart give the CPU percentage. */
export async function containerStats(id: string, name: string, initPid: number, intervalMs = 250): Promise<StatsSample> {
  try {
    const a = await readStats(initPid);
    await new Promise((r) => setTimeout(r, intervalMs));
    return statsSample(id, name, await readStats(initPid), a);
  } catch (err) {
    throw new BerthError('not_running', `container ${id.slice(0, 12)} is not running (${(err as Error).message})`);
  }
}
