// What the kernel says about a test daemon's containers: processes, mounts,
// shims and cgroups, read from /proc and /sys/fs/cgroup.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/** Alive and not a zombie. */
export function processAlive(pid: number): boolean {
  if (!pid) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** The pid of container `id`'s shim, if it runs. */
export function shimPid(dir: string, id: string): number | null {
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes(dir) && cmd.includes('berth-shim') && cmd.includes(`--id\0${id}\0`)) return Number(pid);
    } catch {
      /* gone */
    }
  }
  return null;
}

/** Container ids whose shim process is running (shims name the container with --id). */
export function shimIds(dir: string): Set<string> {
  const ids = new Set<string>();
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    if (!cmd.includes(dir) || !cmd.includes('berth-shim')) continue;
    const args = cmd.split('\0');
    const i = args.indexOf('--id');
    if (i >= 0 && processAlive(Number(pid))) ids.add(args[i + 1]);
  }
  return ids;
}

/** Container ids with a mounted root filesystem under ROOT/containers. */
export function mountedRootIds(root: string): Set<string> {
  const prefix = join(root, 'containers') + '/';
  const ids = new Set<string>();
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mp = line.split(' ')[4];
    if (mp?.startsWith(prefix)) ids.add(mp.slice(prefix.length).split('/')[0]);
  }
  return ids;
}

const CGROUP_TREES = ['/sys/fs/cgroup/memory/berth', '/sys/fs/cgroup/pids/berth', '/sys/fs/cgroup/unified/berth', '/sys/fs/cgroup/berth'];

/** Of `ids`, those that still have a cgroup directory in any hierarchy. */
export function cgroupIds(ids: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const id of ids) {
    if (CGROUP_TREES.some((t) => existsSync(join(t, id)))) out.add(id);
  }
  return out;
}

/** Containers (16-hex id prefixes) with a network namespace kept under EXEC_ROOT/netns. */
export function netnsIds(execRoot: string): Set<string> {
  const dir = join(execRoot, 'netns');
  return new Set(existsSync(dir) ? readdirSync(dir) : []);
}

/** Container ids holding an IP in host-local IPAM (ROOT/networks/ipam/<network>/<ip> holds the id). */
export function ipamOwners(root: string): Set<string> {
  const dir = join(root, 'networks', 'ipam');
  const out = new Set<string>();
  if (!existsSync(dir)) return out;
  for (const net of readdirSync(dir)) {
    for (const f of readdirSync(join(dir, net))) {
      if (!/^\d/.test(f) || f.startsWith('last_reserved')) continue;
      out.add(readFileSync(join(dir, net, f), 'utf8').split('\n')[0].trim());
    }
  }
  return out;
}

/** Container ids with a cached CNI result (ROOT/networks/cache/<net>-<id>-<if>.json). */
export function cniCacheIds(root: string): Set<string> {
  const dir = join(root, 'networks', 'cache');
  const out = new Set<string>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir)) {
    const m = /([0-9a-f]{64})/.exec(f);
    if (m) out.add(m[1]);
  }
  return out;
}

/** How many interfaces are enslaved to `bridge`. */
export function bridgePorts(bridge: string): number {
  const out = spawnSync('ip', ['-o', 'link', 'show', 'master', bridge], { encoding: 'utf8' }).stdout;
  return out.split('\n').filter(Boolean).length;
}
