// Reads a running container's cgroup files, for top and stats, on cgroup v1,
// v2 and hybrid hosts. The container's cgroups are found from its init's
// /proc/<pid>/cgroup, so any runtime's placement works.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface CgroupPaths { v1: Map<string, string>; v2: string | null }

async function mountPoints(): Promise<{ v1: Map<string, string>; v2: string | null }> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  const v1 = new Map<string, string>();
  let v2: string | null = null;
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const fields = line.slice(0, sep).split(' ');
    const [fstype, , superOpts] = line.slice(sep + 3).split(' ');
    if (fstype === 'cgroup2' && v2 === null) v2 = fields[4];
    if (fstype === 'cgroup') for (const opt of (superOpts ?? '').split(',')) if (!['rw', 'ro'].includes(opt) && !v1.has(opt)) v1.set(opt, fields[4]);
  }
  return { v1, v2 };
}

export async function cgroupPathsOf(pid: number): Promise<CgroupPaths> {
  const [mounts, text] = await Promise.all([mountPoints(), readFile(`/proc/${pid}/cgroup`, 'utf8')]);
  const out: CgroupPaths = { v1: new Map(), v2: null };
  for (const line of text.split('\n').filter(Boolean)) {
    const [, controllers, path] = line.split(':');
    if (controllers === '') {
      if (mounts.v2) out.v2 = join(mounts.v2, path);
      continue;
    }
    for (const c of controllers.split(',')) {
      const mp = mounts.v1.get(c);
      if (mp) out.v1.set(c, join(mp, path));
    }
  }
  return out;
}

export async function readText(path: string): Promise<string | null> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return null;
  }
}

export async function readNumber(path: string): Promise<number | null> {
  const t = await readText(path);
  if (t === null || t === 'max') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

/** Pids in the container's cgroup (pids, then memory, then the v2 group). */
export async function cgroupPids(p: CgroupPaths): Promise<number[]> {
  for (const dir of [p.v1.get('pids'), p.v1.get('memory'), p.v2]) {
    if (!dir) continue;
    const t = await readText(join(dir, 'cgroup.procs'));
    if (t !== null && t !== '') return t.split('\n').map(Number).filter((n) => n > 0);
  }
  return [];
}
