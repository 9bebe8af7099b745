// Helpers for the runtime tests: Docker-like OCI bundles on a busybox rootfs,
// a runner for the real berth-runtime binary, and leak checks on host state.
import { spawnSync, spawn, type ChildProcess } from 'node:child_process';
import {
  existsSync, mkdtempSync, openSync, closeSync, readFileSync, readdirSync, rmSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeBusyboxRootfs } from '../fixtures/busybox-rootfs.js';

export const RUNTIME = fileURLToPath(new URL('../../native/build/berth-runtime', import.meta.url));
export const CGROUP_PARENT = 'berth-test';

export const DEFAULT_CAPS = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];
// Bit numbers of DEFAULT_CAPS (linux/capability.h).
export const DEFAULT_CAPS_MASK = [0, 1, 4, 3, 27, 13, 6, 7, 31, 8, 10, 18, 5, 29].reduce((m, b) => m | (1n << BigInt(b)), 0n);

export const MASKED = ['/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
  '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware'];
export const READONLY = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** The config.json the daemon generates: Docker's defaults. */
export function dockerConfig(id: string, args: string[], rootfs = 'rootfs'): any {
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args,
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=' + id.slice(0, 12)],
      cwd: '/',
      capabilities: { bounding: DEFAULT_CAPS, effective: DEFAULT_CAPS, permitted: DEFAULT_CAPS },
      noNewPrivileges: true,
    },
    root: { path: rootfs, readonly: false },
    hostname: id.slice(0, 12),
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      { destination: '/dev/pts', type: 'devpts', source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=67108864'] },
    ],
    linux: {
      namespaces: ['mount', 'network', 'uts', 'pid', 'ipc', 'cgroup'].map((type) => ({ type })),
      cgroupsPath: `/${CGROUP_PARENT}/${id}`,
      resources: {
        devices: [{ allow: false, access: 'rwm' }],
        memory: { limit: 64 * 1024 * 1024 },
        pids: { limit: 100 },
        cpu: { shares: 512 },
      },
      maskedPaths: MASKED,
      readonlyPaths: READONLY,
    },
  };
}

export class Sandbox {
  readonly dir = mkdtempSync(join(tmpdir(), 'berth-rt-'));
  readonly root = join(this.dir, 'state');
  readonly rootfs = makeBusyboxRootfs(join(this.dir, 'rootfs'));
  readonly ids = new Set<string>();
  readonly children: ChildProcess[] = [];
  private n = 0;

  /** A bundle dir with config.json (Docker defaults, shared rootfs unless given). */
  bundle(id: string, args: string[], edit?: (cfg: any) => void, rootfs?: string): string {
    const dir = join(this.dir, `bundle-${id}-${this.n++}`);
    spawnSync('mkdir', ['-p', dir]);
    const cfg = dockerConfig(id, args, rootfs ?? this.rootfs);
    edit?.(cfg);
    writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg, null, 2));
    return dir;
  }

  /** Runs berth-runtime to completion. Output goes through files, since a
   * created init inherits (and keeps) the runtime's stdout and stderr. */
  rt(args: string[], opts: { cwd?: string; global?: string[]; wrap?: string[] } = {}): { code: number; out: string; err: string } {
    const id = this.n++;
    const outPath = join(this.dir, `out-${id}`), errPath = join(this.dir, `err-${id}`);
    const out = openSync(outPath, 'w'), err = openSync(errPath, 'w');
    const argv = [RUNTIME, '--root', this.root, ...(opts.global ?? []), ...args];
    // wrap: a command line the runtime's is appended to (e.g. one entering another mount namespace)
    const [cmd, ...rest] = [...(opts.wrap ?? []), ...argv];
    const r = spawnSync(cmd, rest, {
      cwd: opts.cwd, stdio: ['ignore', out, err], timeout: 30_000,
    });
    closeSync(out); closeSync(err);
    return { code: r.status ?? 128 + 9, out: readFileSync(outPath, 'utf8'), err: readFileSync(errPath, 'utf8') };
  }

  /** `run` in the foreground, returning the container's output. */
  run(id: string, args: string[], edit?: (cfg: any) => void) {
    this.ids.add(id);
    return this.rt(['run', '--bundle', this.bundle(id, args, edit), id]);
  }

  /** Starts `run` without waiting for it. */
  runAsync(id: string, args: string[]): ChildProcess {
    this.ids.add(id);
    const c = spawn(RUNTIME, ['--root', this.root, 'run', '--bundle', this.bundle(id, args), id], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.children.push(c);
    return c;
  }

  state(id: string): any {
    const r = this.rt(['state', id]);
    if (r.code !== 0) throw new Error(`state ${id} failed: ${r.err}`);
    return JSON.parse(r.out);
  }

  async cleanup(): Promise<void> {
    for (const id of this.ids) this.rt(['delete', '--force', id]);
    this.ids.clear();
    for (const c of this.children) if (c.exitCode === null) c.kill('SIGKILL');
    this.children.length = 0;
  }

  destroy(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function cgroupMounts(): { dir: string; v2: boolean }[] {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').flatMap((line) => {
    const [pre, post] = line.split(' - ');
    if (!post) return [];
    const fstype = post.split(' ')[0];
    if (fstype !== 'cgroup' && fstype !== 'cgroup2') return [];
    return [{ dir: pre.split(' ')[4], v2: fstype === 'cgroup2' }];
  });
}

/** Host-side evidence that a container is fully gone. */
export function leftovers(sb: Sandbox, id: string): string[] {
  const found: string[] = [];
  for (const m of cgroupMounts()) {
    const d = join(m.dir, CGROUP_PARENT, id);
    if (existsSync(d)) found.push(`cgroup ${d}`);
  }
  if (existsSync(join(sb.root, id))) found.push(`state dir ${join(sb.root, id)}`);
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
  if (mounts.includes(sb.dir)) found.push('a mount under the sandbox dir');
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (readFileSync(`/proc/${pid}/cgroup`, 'utf8').includes(`/${CGROUP_PARENT}/${id}\n`)) found.push(`process ${pid}`);
    } catch { /* gone meanwhile */ }
  }
  return found;
}

export function hostCgroupOf(pid: number): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n')) {
    const [, ctrls, path] = line.split(/:(.*?):/);
    m.set(ctrls, path);
  }
  return m;
}

/** Snapshot of the cgroup.subtree_control of v2 cgroups (host paths, parents first); the
 * returned function gives back the controllers enabled since, deepest first (best effort:
 * a cgroup that began using one meanwhile keeps it). A pure-v2 runtime enables what v2
 * offers on the way to its cgroups, and on a hybrid host that is the host's own tree. */
export function subtreeControlRestorer(dirs: string[]): () => void {
  const read = (d: string) => (existsSync(join(d, 'cgroup.subtree_control'))
    ? readFileSync(join(d, 'cgroup.subtree_control'), 'utf8').split(/\s+/).filter(Boolean) : []);
  const before = dirs.map(read);
  return () => {
    for (let k = dirs.length - 1; k >= 0; k--) {
      for (const c of read(dirs[k]).filter((c) => !before[k].includes(c))) {
        try { writeFileSync(join(dirs[k], 'cgroup.subtree_control'), `-${c}`); } catch { /* in use */ }
      }
    }
  };
}
