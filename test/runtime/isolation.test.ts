// What the process sees inside: namespaces, rootfs, mounts, devices,
// capabilities, masked and read-only paths, user, limits.
import { chmodSync, mkdirSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox, DEFAULT_CAPS_MASK, MASKED } from './bundle.js';

let sb: Sandbox;
beforeAll(() => { sb = new Sandbox(); });
afterEach(async () => { await sb.cleanup(); });
afterAll(() => sb.destroy());

/** Runs a shell script in a Docker-default container; returns stdout. */
function sh(id: string, script: string, edit?: (cfg: any) => void): string {
  const r = sb.run(id, ['sh', '-c', script], edit);
  expect(r.code, r.err).toBe(0);
  return r.out;
}

function status(out: string, field: string): string {
  const m = out.match(new RegExp(`^${field}:\\s*(\\S+)`, 'm'));
  if (!m) throw new Error(`${field} missing in ${out}`);
  return m[1];
}

describe('berth-runtime isolation', () => {
  it('runs the command as PID 1 with its own hostname and only lo', () => {
    const out = sh('iso-basic', 'echo pid=$$; echo host=$(hostname); cat /proc/net/dev; cat /proc/1/cmdline | tr "\\0" " "');
    expect(out).toMatch(/^pid=1$/m);
    expect(out).toMatch(/^host=iso-basic$/m);
    const ifaces = out.split('\n').filter((l) => /^\s*\w+:/.test(l)).map((l) => l.trim().split(':')[0]);
    expect(ifaces).toEqual(['lo']);
    expect(out).toContain('sh -c echo pid=$$');
  });

  it('puts the process in new namespaces of every requested type', () => {
    const types = ['mnt', 'net', 'uts', 'pid', 'ipc', 'cgroup'];
    const out = sh('iso-ns', types.map((t) => `echo ${t}=$(readlink /proc/self/ns/${t})`).join('; '));
    for (const t of types) {
      const inside = out.match(new RegExp(`^${t}=(.*)$`, 'm'))?.[1];
      expect(inside, t).toMatch(/\[\d+\]/);
      expect(inside, t).not.toBe(readlinkSync(`/proc/self/ns/${t}`));
    }
    // The cgroup namespace is rooted at the container's cgroup.
    expect(sh('iso-cgns', 'cat /proc/self/cgroup')).toMatch(/^0::\/$/m);
  });

  it('pivots into the bundle rootfs with /sys and cgroups read-only and /proc, /dev mounted', () => {
    const out = sh('iso-mounts', 'cat /proc/self/mountinfo; ls /; touch /sys/x 2>&1; touch /sys/fs/cgroup/x 2>&1; echo ok');
    const lines = out.split('\n').filter((l) => l.includes(' - '));
    const byTarget = new Map(lines.map((l) => [l.split(' ')[4], l]));
    const root = byTarget.get('/')!;
    expect(root.split(' ')[3]).toBe(sb.rootfs.replace(/^\/tmp/, root.split(' ')[3].startsWith('/tmp') ? '/tmp' : '/tmp'));
    expect(byTarget.get('/sys')!.split(' ')[5].split(',')).toContain('ro');
    expect(byTarget.get('/proc')).toMatch(/ - proc /);
    expect(byTarget.get('/dev')).toMatch(/ - tmpfs .*mode=755/);
    expect(byTarget.get('/dev/pts')).toMatch(/ - devpts /);
    expect(byTarget.get('/dev/shm')).toMatch(/ - tmpfs /);
    expect(byTarget.get('/dev/mqueue')).toMatch(/ - mqueue /);
    expect(byTarget.get('/sys/fs/cgroup')!.split(' ')[5].split(',')).toContain('ro');
    expect(out).toMatch(/touch: \/sys\/x: Read-only file system/);
    expect(out).toMatch(/^ok$/m);
  });

  it('creates the default devices and /dev symlinks', () => {
    const out = sh('iso-dev', 'ls -l /dev; echo x > /dev/null && echo null-ok; head -c 4 /dev/zero | od -An -tx1');
    for (const d of ['null', 'zero', 'full', 'random', 'urandom', 'tty']) expect(out).toMatch(new RegExp(`^c.* ${d}$`, 'm'));
    expect(out).toMatch(/fd -> \/proc\/self\/fd$/m);
    expect(out).toMatch(/stdin -> \/proc\/self\/fd\/0$/m);
    expect(out).toMatch(/stdout -> \/proc\/self\/fd\/1$/m);
    expect(out).toMatch(/stderr -> \/proc\/self\/fd\/2$/m);
    expect(out).toMatch(/ptmx -> pts\/ptmx$/m);
    expect(out).toMatch(/^null-ok$/m);
    expect(out).toMatch(/00 00 00 00/);
  });

  it('applies the default capability set and no_new_privs', () => {
    const out = sh('iso-caps', 'cat /proc/self/status');
    const want = DEFAULT_CAPS_MASK.toString(16).padStart(16, '0');
    expect(status(out, 'CapBnd')).toBe(want);
    expect(status(out, 'CapEff')).toBe(want);
    expect(status(out, 'CapPrm')).toBe(want);
    expect(status(out, 'CapInh')).toBe('0000000000000000');
    expect(status(out, 'NoNewPrivs')).toBe('1');
  });

  it('masks paths and makes readonly paths read-only', () => {
    const out = sh('iso-mask', [
      ...MASKED.map((p) => `if [ -d ${p} ]; then echo "${p}=dir:$(ls -A ${p} | wc -l)"; elif [ -e ${p} ]; then echo "${p}=file:$(cat ${p} | wc -c)"; fi`),
      'echo 1 > /proc/sys/kernel/domainname 2>/dev/null && echo sys-writable || echo sys-ro',
      'echo h > /proc/sysrq-trigger 2>/dev/null && echo sysrq-writable || echo sysrq-ro',
    ].join('; '));
    expect(out).toMatch(/^sys-ro$/m);
    expect(out).toMatch(/^sysrq-ro$/m);
    const masked = out.split('\n').filter((l) => l.startsWith('/'));
    expect(masked.length).toBeGreaterThan(2); // e.g. /proc/keys, /proc/timer_list, /sys/firmware exist on any kernel
    for (const line of masked) expect(line).toMatch(/=(dir|file):0$/);
    const mi = sh('iso-mask-mi', 'cat /proc/self/mountinfo');
    for (const p of ['/proc/keys', '/sys/firmware']) expect(mi).toMatch(new RegExp(` ${p} `));
    for (const p of ['/proc/sys', '/proc/bus']) expect(mi).toMatch(new RegExp(` ${p} ro,`));
  });

  it('runs as the configured user with groups, umask and cwd (created if missing)', () => {
    const out = sh('iso-user', 'id; umask; pwd; cat /proc/self/status', (cfg) => {
      cfg.process.user = { uid: 1000, gid: 1000, additionalGids: [10, 20], umask: 0o077 };
      cfg.process.cwd = '/work/here';
    });
    expect(out).toMatch(/uid=1000 gid=1000 groups=10,20/);
    expect(out).toMatch(/^0077$/m);
    expect(out).toMatch(/^\/work\/here$/m);
    expect(status(out, 'CapEff')).toBe('0000000000000000'); // a non-root exec loses permitted caps
    expect(status(out, 'CapBnd')).toBe(DEFAULT_CAPS_MASK.toString(16).padStart(16, '0'));
  });

  it('grants ambient capabilities to a non-root user', () => {
    const out = sh('iso-ambient', 'cat /proc/self/status', (cfg) => {
      cfg.process.user = { uid: 1000, gid: 1000 };
      const c = ['CAP_NET_BIND_SERVICE'];
      cfg.process.capabilities = { bounding: c, effective: c, permitted: c, inheritable: c, ambient: c };
      cfg.process.noNewPrivileges = false;
    });
    expect(status(out, 'CapAmb')).toBe((1n << 10n).toString(16).padStart(16, '0'));
    expect(status(out, 'CapEff')).toBe((1n << 10n).toString(16).padStart(16, '0'));
    expect(status(out, 'NoNewPrivs')).toBe('0');
  });

  it('applies rlimits, oomScoreAdj, sysctl, domainname and a read-only root', () => {
    const out = sh('iso-misc', 'ulimit -n; ulimit -Hn; cat /proc/self/oom_score_adj; cat /proc/sys/net/ipv4/ip_forward; ' +
      'cat /proc/sys/kernel/domainname; touch /newfile 2>&1; echo done', (cfg) => {
      cfg.process.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 512, hard: 1024 }];
      cfg.process.oomScoreAdj = 500;
      cfg.linux.sysctl = { 'net.ipv4.ip_forward': '1' };
      cfg.domainname = 'example.test';
      cfg.root.readonly = true;
    });
    expect(out.split('\n').slice(0, 4)).toEqual(['512', '1024', '500', '1']);
    expect(out).toMatch(/^example.test$/m);
    expect(out).toMatch(/touch: \/newfile: Read-only file system/);
  });

  it('does bind mounts with options and creates missing mount points', () => {
    const src = join(sb.dir, 'shared');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'hello.txt'), 'hi\n');
    const out = sh('iso-bind', 'cat /mnt/deep/ro/hello.txt; touch /mnt/deep/ro/x 2>&1; touch /mnt/rw/y && echo rw-ok; ' +
      'grep -E " /mnt/(deep/ro|rw|tmp) " /proc/self/mountinfo', (cfg) => {
      cfg.mounts.push(
        { destination: '/mnt/deep/ro', type: 'bind', source: src, options: ['rbind', 'ro', 'nosuid', 'nodev', 'rprivate'] },
        { destination: '/mnt/rw', type: 'none', source: src, options: ['bind', 'rw'] },
        { destination: '/mnt/tmp', type: 'tmpfs', source: 'tmpfs', options: ['noexec', 'size=1m'] },
      );
    });
    expect(out).toMatch(/^hi$/m);
    expect(out).toMatch(/Read-only file system/);
    expect(out).toMatch(/^rw-ok$/m);
    expect(out).toMatch(/ \/mnt\/deep\/ro ro,nosuid,nodev/);
    expect(out).toMatch(/ \/mnt\/tmp rw,noexec/);
  });

  it('resolves mount destinations through symlinks inside the rootfs', () => {
    const rootfs = join(sb.dir, 'rootfs-links');
    sb.rootfs; // the shared rootfs stays untouched
    mkdirSync(join(rootfs, 'real'), { recursive: true });
    const made = new Sandbox();
    try {
      symlinkSync('/real', join(made.rootfs, 'link'));
      const r = made.run('iso-link', ['sh', '-c', 'grep " /real " /proc/self/mountinfo && echo found'], (cfg) => {
        cfg.mounts.push({ destination: '/link', type: 'tmpfs', source: 'tmpfs', options: [] });
      });
      expect(r.code, r.err).toBe(0);
      expect(r.out).toMatch(/^found$/m);
    } finally {
      made.cleanup();
      made.destroy();
    }
  });

  it('--no-pivot runs the container with MS_MOVE and chroot', () => {
    const id = 'iso-nopivot';
    sb.ids.add(id);
    const r = sb.rt(['run', '--no-pivot', '--bundle', sb.bundle(id, ['sh', '-c', 'echo pid=$$; ls /bin/busybox']), id]);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^pid=1$/m);
    expect(r.out).toMatch(/\/bin\/busybox/);
  });

  it('creates a user namespace with uid/gid mappings', () => {
    chmodSync(sb.dir, 0o755); // the mapped root (host uid 100000) must reach the rootfs
    const out = sh('iso-userns', 'cat /proc/self/uid_map /proc/self/gid_map; id; echo pid=$$; ls -ln /dev/null', (cfg) => {
      cfg.linux.namespaces.push({ type: 'user' });
      cfg.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      cfg.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    });
    expect(out).toMatch(/^\s*0\s+100000\s+65536$/m);
    expect(out).toMatch(/uid=0(\(root\))? gid=0/);
    expect(out).toMatch(/^pid=1$/m);
    expect(out).toMatch(/^c.* 1,\s+3 .*\/dev\/null$/m);
  });

  it('joins an existing namespace given by path', async () => {
    const { spawn } = await import('node:child_process');
    const holder = spawn('unshare', ['--uts', 'sh', '-c', 'hostname joined-uts; sleep 30'], { stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const out = sh('iso-join', 'hostname', (cfg) => {
        cfg.linux.namespaces = cfg.linux.namespaces.map((n: any) => n.type === 'uts' ? { type: 'uts', path: `/proc/${holder.pid}/ns/uts` } : n);
        delete cfg.hostname;
      });
      expect(out.trim()).toBe('joined-uts');
    } finally {
      holder.kill('SIGKILL');
    }
  });
});
