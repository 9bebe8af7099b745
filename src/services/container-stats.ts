// `top` and `stats` for running containers, from /proc and the cgroup files.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { totalmem } from 'node:os';
import { BerthError } from '../errors.js';
import { cgroupPathsOf, cgroupPids, readNumber, readText, type CgroupPaths } from '../runtime/cgroup-files.js';
import type { StatsSample, TopResult } from '../protocol/container-methods.js';

const CLK_TCK = 100;

async function procStat(pid: number): Promise<{ ppid: number; utime: number; stime: number; start: number; tty: number } | null> {
  const t = await readText(`/proc/${pid}/stat`);
  if (!t) return null;
  const rest = t.slice(t.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(rest[1]), tty: Number(rest[4]), utime: Number(rest[11]), stime: Number(rest[12]), start: Number(rest[19]) };
}

function clock(ticks: number): string {
  const s = Math.floor(ticks / CLK_TCK);
  return `${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}

export async function containerTop(initPid: number): Promise<TopResult> {
  const pids = await cgroupPids(await cgroupPathsOf(initPid));
  const uptime = Number((await readFile('/proc/uptime', 'utf8')).split(' ')[0]);
  const bootMs = Date.now() - uptime * 1000;
  const processes: string[][] = [];
  for (const pid of pids.sort((a, b) => a - b)) {
    const [st, status, cmdline] = await Promise.all([procStat(pid), readText(`/proc/${pid}/status`), readText(`/proc/${pid}/cmdline`)]);
    if (!st || status === null) continue;
    const uid = /^Uid:\s+(\d+)/m.exec(status)?.[1] ?? '?';
    const name = /^Name:\s+(.*)$/m.exec(status)?.[1] ?? '';
    const started = new Date(bootMs + (st.start / CLK_TCK) * 1000);
    processes.push([
      uid === '0' ? 'root' : uid,
      String(pid),
      String(st.ppid),
      '0',
      `${String(started.getHours()).padStart(2, '0')}:${String(started.getMinutes()).padStart(2, '0')}`,
      st.tty === 0 ? '?' : 'pts',
      clock(st.utime + st.stime),
      cmdline ? cmdline.replace(/\0+$/, '').split('\0').join(' ') : `[${name}]`,
    ]);
  }
  return { titles: ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'], processes };
}

interface Raw { cpuNs: number; systemNs: number; memUsage: number; memLimit: number; pids: number; blkRead: number; blkWrite: number; rx: number; tx: number }

async function systemCpuNs(): Promise<number> {
  const line = (await readFile('/proc/stat', 'utf8')).split('\n')[0];
  return line.split(/\s+/).slice(1, 8).reduce((a, b) => a + Number(b), 0) * (1e9 / CLK_TCK);
}

async function blkio(p: CgroupPaths): Promise<{ read: number; write: number }> {
  let read = 0;
  let write = 0;
  const v1 = p.v1.get('blkio');
  const t1 = v1 ? await readText(join(v1, 'blkio.throttle.io_service_bytes')) : null;
  if (t1) {
    for (const l of t1.split('\n')) {
      const [, op, n] = l.split(' ');
      if (op === 'Read') read += Number(n);
      if (op === 'Write') write += Number(n);
    }
    return { read, write };
  }
  const t2 = p.v2 ? await readText(join(p.v2, 'io.stat')) : null;
  for (const l of (t2 ?? '').split('\n')) {
    read += Number(/rbytes=(\d+)/.exec(l)?.[1] ?? 0);
    write += Number(/wbytes=(\d+)/.exec(l)?.[1] ?? 0);
  }
  return { read, write };
}

async function netBytes(pid: number): Promise<{ rx: number; tx: number }> {
  const t = await readText(`/proc/${pid}/net/dev`);
  let rx = 0;
  let tx = 0;
  for (const l of (t ?? '').split('\n').slice(2)) {
    const [iface, rest] = l.split(':');
    if (!rest || iface.trim() === 'lo') continue;
    const f = rest.trim().split(/\s+/).map(Number);
    rx += f[0];
    tx += f[8];
  }
  return { rx, tx };
}

async function sample(initPid: number): Promise<Raw> {
  const p = await cgroupPathsOf(initPid);
  const acct = p.v1.get('cpuacct');
  const mem = p.v1.get('memory');
  const pidsDir = p.v1.get('pids');
  let cpuNs = acct ? await readNumber(join(acct, 'cpuacct.usage')) : null;
  if (cpuNs === null && p.v2) cpuNs = Number(/usage_usec (\d+)/.exec((await readText(join(p.v2, 'cpu.stat'))) ?? '')?.[1] ?? 0) * 1000;
  let memUsage = mem ? await readNumber(join(mem, 'memory.usage_in_bytes')) : null;
  let memLimit = mem ? await readNumber(join(mem, 'memory.limit_in_bytes')) : null;
  if (memUsage === null && p.v2) {
    memUsage = await readNumber(join(p.v2, 'memory.current'));
    memLimit = await readNumber(join(p.v2, 'memory.max'));
  }
  let pids = pidsDir ? await readNumber(join(pidsDir, 'pids.current')) : null;
  if (pids === null) pids = (await cgroupPids(p)).length;
  const host = totalmem();
  const [io, net, systemNs] = await Promise.all([blkio(p), netBytes(initPid), systemCpuNs()]);
  return {
    cpuNs: cpuNs ?? 0,
    systemNs,
    memUsage: memUsage ?? 0,
    memLimit: memLimit === null || memLimit > host ? host : memLimit,
    pids,
    blkRead: io.read,
    blkWrite: io.write,
    rx: net.rx,
    tx: net.tx,
  };
}

/** One stats sample: two readings `intervalMs` apart give the CPU percentage, as Docker computes it. */
export async function containerStats(id: string, name: string, initPid: number, intervalMs = 250): Promise<StatsSample> {
  let a: Raw;
  let b: Raw;
  try {
    a = await sample(initPid);
    await new Promise((r) => setTimeout(r, intervalMs));
    b = await sample(initPid);
  } catch (err) {
    throw new BerthError('not_running', `container ${id.slice(0, 12)} is not running (${(err as Error).message})`);
  }
  const cpus = (await readFile('/proc/stat', 'utf8')).split('\n').filter((l) => /^cpu\d/.test(l)).length || 1;
  const dSys = b.systemNs - a.systemNs;
  const cpuPercent = dSys > 0 ? ((b.cpuNs - a.cpuNs) / dSys) * cpus * 100 : 0;
  return {
    id,
    name,
    read: new Date().toISOString(),
    cpuPercent,
    memoryUsage: b.memUsage,
    memoryLimit: b.memLimit,
    memoryPercent: b.memLimit > 0 ? (b.memUsage / b.memLimit) * 100 : 0,
    pids: b.pids,
    blockRead: b.blkRead,
    blockWrite: b.blkWrite,
    netRx: b.rx,
    netTx: b.tx,
  };
}
