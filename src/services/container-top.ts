// `top` for a running container: the processes of its cgroup, read from /proc.
import { readFile } from 'node:fs/promises';
import { cgroupPathsOf, cgroupPids, readText } from '../runtime/cgroup-files.js';
import type { TopResult } from '../protocol/container-methods.js';

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
