// run/create's security flags end to end: capabilities (/proc/PID/status),
// --privileged, --read-only and --tmpfs (mountinfo), --security-opt
// (NoNewPrivs, Seccomp, masked paths), what exec inherits, their inspect
// fields, and clear errors for bad values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { inspectContainer, loadBusybox, ok } from '../fixtures/e2e-helpers.js';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES, hostBoundingSet } from '../../src/runtime/capabilities.js';
import { MASKED_PATHS } from '../../src/runtime/oci-spec.js';

let daemon: TestDaemon;
const image = 'busybox:latest';

beforeAll(async () => {
  daemon = await startDaemon();
  loadBusybox(daemon);
});

afterAll(async () => {
  await daemon?.stop();
});

/** Capability names in a /proc/PID/status mask line such as CapEff (or in the text of such a file). */
function capsOf(pid: number | string, field: 'CapEff' | 'CapBnd'): string[] {
  const status = typeof pid === 'number' ? readFileSync(`/proc/${pid}/status`, 'utf8') : pid;
  const m = new RegExp(`^${field}:\\s*([0-9a-f]+)$`, 'm').exec(status)!;
  const mask = BigInt(`0x${m[1]}`);
  return ALL_CAPABILITIES.filter((_, bit) => (mask >> BigInt(bit)) & 1n).sort();
}

function runDetached(name: string, flags: string[]): number {
  ok(daemon.berth(['run', '-d', '--name', name, ...flags, image, 'sleep', '300']));
  return inspectContainer(daemon, name).State.Pid as number;
}

function run(flags: string[], script: string): { code: number; stdout: string; stderr: string } {
  return daemon.berth(['run', '--rm', ...flags, image, 'sh', '-c', script]);
}

describe('capabilities', () => {
  it('gives Docker\'s default set without flags', () => {
    const pid = runDetached('caps-default', []);
    expect(capsOf(pid, 'CapEff')).toEqual([...DEFAULT_CAPABILITIES].sort());
    expect(capsOf(pid, 'CapBnd')).toEqual([...DEFAULT_CAPABILITIES].sort());
    ok(daemon.berth(['rm', '-f', 'caps-default']));
  });

  it('adds and drops with or without the CAP_ prefix', () => {
    const pid = runDetached('caps-tweak', ['--cap-add', 'net_admin', '--cap-add', 'CAP_SYS_TIME', '--cap-drop', 'CHOWN', '--cap-drop', 'cap_kill']);
    const want = [...DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_CHOWN' && c !== 'CAP_KILL'), 'CAP_NET_ADMIN', 'CAP_SYS_TIME'].sort();
    expect(capsOf(pid, 'CapEff')).toEqual(want);
    expect(capsOf(pid, 'CapBnd')).toEqual(want);
    const hc = inspectContainer(daemon, 'caps-tweak').HostConfig;
    expect(hc.CapAdd).toEqual(['net_admin', 'CAP_SYS_TIME']);
    expect(hc.CapDrop).toEqual(['CHOWN', 'cap_kill']);
    ok(daemon.berth(['rm', '-f', 'caps-tweak']));
  });

  it('drops everything with --cap-drop ALL, and a dropped capability really is gone', () => {
    const pid = runDetached('caps-none', ['--cap-drop', 'ALL', '--cap-add', 'SETUID']);
    expect(capsOf(pid, 'CapEff')).toEqual(['CAP_SETUID']);
    ok(daemon.berth(['rm', '-f', 'caps-none']));
    const r = run(['--cap-drop', 'CHOWN'], 'touch /f && chown 1:1 /f');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Operation not permitted/);
  });

  it('rejects an unknown capability with exit 125', () => {
    const r = daemon.berth(['run', '--rm', '--cap-add', 'NOT_A_CAP', image, 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/invalid --cap-add value "NOT_A_CAP": unknown capability/);
    expect(daemon.berth(['version']).code).toBe(0);
  });
});

describe('--privileged', () => {
  // A masked path this host has (the runtime masks only the ones that exist).
  const masked = MASKED_PATHS.find((p) => p.startsWith('/proc/') && existsSync(p))!;

  it('grants every capability the host holds, unmasks /proc and mounts /sys read-write', () => {
    const pid = runDetached('priv', ['--privileged']);
    expect(capsOf(pid, 'CapEff')).toEqual(hostBoundingSet().sort());
    const mounts = readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n');
    const sys = mounts.find((l) => l.split(' ')[4] === '/sys')!;
    expect(sys.split(' ')[5]).toMatch(/^rw/);
    expect(mounts.some((l) => l.split(' ')[4] === masked)).toBe(false);
    expect(inspectContainer(daemon, 'priv').HostConfig.Privileged).toBe(true);
    ok(daemon.berth(['rm', '-f', 'priv']));
  });

  it('keeps the defaults (a masked /proc path, read-only /sys) without it', () => {
    const pid = runDetached('unpriv', []);
    const mounts = readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n');
    expect(mounts.find((l) => l.split(' ')[4] === '/sys')!.split(' ')[5]).toMatch(/^ro/);
    expect(mounts.some((l) => l.split(' ')[4] === masked)).toBe(true);
    ok(daemon.berth(['rm', '-f', 'unpriv']));
  });
});

describe('--read-only and --tmpfs', () => {
  it('mounts the root read-only while /dev, /dev/shm, /proc and a --tmpfs stay usable', () => {
    const r = run(['--read-only', '--tmpfs', '/scratch:size=1m'],
      'touch /x 2>/dev/null && echo root-writable; echo a > /dev/shm/a && echo a > /scratch/a && head -c1 /dev/zero >/dev/null && cat /proc/self/stat >/dev/null && echo ok; grep " /scratch " /proc/self/mountinfo; grep " / / " /proc/self/mountinfo');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('ok');
    expect(lines[1]).toMatch(/ \/scratch rw,nosuid,nodev,noexec.* - tmpfs tmpfs rw,.*size=1024k/);
    expect(lines[2]).toMatch(/ \/ \/ ro[, ]/);
  });

  it('gives a -t container its terminal as /dev/console, even on a read-only root; none without -t', () => {
    const t = daemon.berth(['run', '--rm', '-t', '--read-only', image, 'stat', '-c', '%F %t', '/dev/console']);
    expect(t.code).toBe(0);
    expect(t.stdout.trim()).toBe('character special file 88'); // a pty slave (major 136)
    const plain = daemon.berth(['run', '--rm', image, 'ls', '/dev/console']);
    expect(plain.code).not.toBe(0);
    expect(plain.stderr).toMatch(/No such file or directory/);
  });

  it('shows ReadonlyRootfs and Tmpfs in inspect', () => {
    ok(daemon.berth(['create', '--name', 'ro', '--read-only', '--tmpfs', '/run', '--tmpfs', '/cache:size=2m', image, 'true']));
    const hc = inspectContainer(daemon, 'ro').HostConfig;
    expect(hc.ReadonlyRootfs).toBe(true);
    expect(hc.Tmpfs).toEqual({ '/run': '', '/cache': 'size=2m' });
    ok(daemon.berth(['rm', 'ro']));
  });

  it('rejects a relative --tmpfs path with exit 125', () => {
    const r = daemon.berth(['run', '--rm', '--tmpfs', 'scratch', image, 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/invalid argument "scratch" for "--tmpfs" flag: invalid mount point "scratch": it must be an absolute path/);
  });
});

describe('--init', () => {
  it('runs berth-init as pid 1, mounted read-only at /sbin/docker-init, and shows Init in inspect', () => {
    const r = daemon.berth(['run', '--name', 'init-ps', '--init', image, 'sh', '-c', 'ps -o pid,args; grep " /sbin/docker-init " /proc/self/mountinfo']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\s*1 \/sbin\/docker-init -- sh -c/m);
    expect(r.stdout).not.toMatch(/^\s*1 sh/m);
    expect(r.stdout).toMatch(/ \/sbin\/docker-init ro,/);
    expect(inspectContainer(daemon, 'init-ps').HostConfig.Init).toBe(true);
    ok(daemon.berth(['rm', 'init-ps']));
  });

  it('passes the child\'s exit code and death by signal on', () => {
    expect(run(['--init'], 'exit 7').code).toBe(7);
    expect(run(['--init'], 'kill -USR1 $$').code).toBe(128 + 10);
  });

  it('forwards signals to the child: stop ends a shell that would ignore them as pid 1', async () => {
    // Without --init, sh as pid 1 has no handler for TERM and the kernel drops it; with it, sh gets TERM and dies.
    ok(daemon.berth(['run', '-d', '--name', 'init-sig', '--init', image, 'sh', '-c', 'sleep 300 & wait']));
    const stop = daemon.berth(['stop', '-t', '30', 'init-sig']);
    expect(stop.code).toBe(0);
    expect(inspectContainer(daemon, 'init-sig').State.ExitCode).toBe(128 + 15);
    ok(daemon.berth(['rm', 'init-sig']));
  });

  it('reaps orphaned zombies (and without --init they stay)', async () => {
    // "sleep 0" exits at once; its parent "sleep 1" never waits for it, and when that exits the zombie is
    // re-parented to pid 1. pid 1 is berth-init with --init, else "sleep 300", which reaps nothing.
    const script = 'sh -c "sleep 0 & exec sleep 1" & exec sleep 300';
    ok(daemon.berth(['run', '-d', '--name', 'zomb-init', '--init', image, 'sh', '-c', script]));
    ok(daemon.berth(['run', '-d', '--name', 'zomb-bare', image, 'sh', '-c', script]));
    const count = (name: string) => ok(daemon.berth(['exec', name, 'ps', '-o', 'ppid,stat']))
      .split('\n').filter((l) => /^\s*1\s+Z/.test(l)).length;
    // Wait (no time limit beyond the test's) until the orphan exists in the bare container: then it exists in both.
    while (count('zomb-bare') === 0) await new Promise((r) => setTimeout(r, 200));
    expect(count('zomb-bare')).toBeGreaterThan(0);
    expect(count('zomb-init')).toBe(0);
    ok(daemon.berth(['rm', '-f', 'zomb-init', 'zomb-bare']));
  });
});

describe('-u with names', () => {
  it('resolves user and group names from the image', () => {
    expect(ok(run(['-u', 'nobody'], 'id -u; id -g'))).toBe('65534\n65534\n');
    expect(ok(run(['-u', 'nobody:root'], 'id -u; id -g'))).toBe('65534\n0\n');
    expect(ok(run(['-u', 'root:nogroup'], 'id -u; id -g'))).toBe('0\n65534\n');
    expect(ok(run(['-u', '4242'], 'id -u; id -g'))).toBe('4242\n0\n');
  });

  it('fails with exit 125 and a clear message for an unknown user or group', () => {
    const r = daemon.berth(['run', '--rm', '-u', 'ghost', image, 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/unable to find user ghost: no matching entries in passwd file/);
    const g = daemon.berth(['run', '--rm', '-u', 'nobody:ghosts', image, 'true']);
    expect(g.code).toBe(125);
    expect(g.stderr).toMatch(/unable to find group ghosts/);
  });

  it('resolves names for exec too', () => {
    ok(daemon.berth(['run', '-d', '--name', 'users', image, 'sleep', '300']));
    expect(ok(daemon.berth(['exec', '-u', 'nobody', 'users', 'id', '-u']))).toBe('65534\n');
    ok(daemon.berth(['rm', '-f', 'users']));
  });
});

/** A field of /proc/PID/status, e.g. NoNewPrivs or Seccomp. */
function statusField(pid: number, field: string): string {
  return new RegExp(`^${field}:\\s*(\\S+)$`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1];
}

describe('--security-opt', () => {
  const masked = MASKED_PATHS.find((p) => p.startsWith('/proc/') && existsSync(p))!;
  const mountPoints = (pid: number) => readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n').map((l) => l.split(' ')[4]);

  it('applies Docker\'s default seccomp profile and no_new_privs by default; --privileged runs unconfined', () => {
    const pid = runDetached('sec-default', []);
    expect(statusField(pid, 'Seccomp')).toBe('2');
    expect(statusField(pid, 'NoNewPrivs')).toBe('1');
    const priv = runDetached('sec-priv', ['--privileged']);
    expect(statusField(priv, 'Seccomp')).toBe('0');
    ok(daemon.berth(['rm', '-f', 'sec-default', 'sec-priv']));
  });

  it('no-new-privileges turns no_new_privs on or off, in the container and its execs', () => {
    const off = runDetached('nnp-off', ['--security-opt', 'no-new-privileges=false']);
    expect(statusField(off, 'NoNewPrivs')).toBe('0');
    expect(ok(daemon.berth(['exec', 'nnp-off', 'grep', 'NoNewPrivs', '/proc/self/status']))).toMatch(/NoNewPrivs:\s+0/);
    const on = runDetached('nnp-on', ['--security-opt', 'no-new-privileges', '--security-opt', 'no-new-privileges:true']);
    expect(statusField(on, 'NoNewPrivs')).toBe('1');
    expect(ok(daemon.berth(['exec', 'nnp-on', 'grep', 'NoNewPrivs', '/proc/self/status']))).toMatch(/NoNewPrivs:\s+1/);
    expect(inspectContainer(daemon, 'nnp-off').HostConfig.SecurityOpt).toEqual(['no-new-privileges=false']);
    ok(daemon.berth(['rm', '-f', 'nnp-off', 'nnp-on']));
  });

  it('seccomp=unconfined installs no filter; seccomp=PROFILE.json installs the file\'s', () => {
    const pid = runDetached('sc-off', ['--security-opt', 'seccomp=unconfined']);
    expect(statusField(pid, 'Seccomp')).toBe('0');
    ok(daemon.berth(['rm', '-f', 'sc-off']));
    const profile = join(daemon.dir, 'no-mkdir.json');
    writeFileSync(profile, JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' }] }));
    const r = run(['--security-opt', `seccomp=${profile}`], 'touch /file && echo touched; mkdir /dir; grep Seccomp: /proc/self/status');
    expect(r.stdout).toMatch(/^touched\nSeccomp:\s+2\n$/);
    expect(r.stderr).toMatch(/mkdir: can't create directory '\/dir': Operation not permitted/);
  });

  it('systempaths=unconfined leaves /proc unmasked and writable paths alone', () => {
    const pid = runDetached('sysp', ['--security-opt', 'systempaths=unconfined']);
    expect(mountPoints(pid)).not.toContain(masked);
    expect(mountPoints(pid)).not.toContain('/proc/sys');
    const plain = runDetached('sysp-plain', []);
    expect(mountPoints(plain)).toContain(masked);
    expect(mountPoints(plain)).toContain('/proc/sys');
    ok(daemon.berth(['rm', '-f', 'sysp', 'sysp-plain']));
  });

  it('accepts apparmor=unconfined and label=disable on a host without those LSMs', () => {
    expect(ok(run(['--security-opt', 'apparmor=unconfined', '--security-opt', 'label=disable'], 'echo fine'))).toBe('fine\n');
  });

  it('refuses what it cannot honour with exit 125 and says why', () => {
    const cases: [string, RegExp][] = [
      ['apparmor=docker-default', /invalid --security-opt "apparmor=docker-default": AppArmor is not enabled on this host; only apparmor=unconfined is accepted/],
      ['label=type:svirt_t', /invalid --security-opt "label=type:svirt_t": SELinux is not enabled on this host; only label=disable is accepted/],
      ['label=bogus', /invalid --security-opt "label=bogus": use label=disable/],
      ['frobnicate=1', /invalid --security-opt "frobnicate=1": unknown option "frobnicate"/],
      ['nonsense', /invalid --security-opt "nonsense": use KEY=VALUE/],
      ['no-new-privileges=maybe', /no-new-privileges takes true or false/],
      ['systempaths=confined', /the only systempaths setting is "unconfined"/],
      ['seccomp=/no/such/profile.json', /opening seccomp profile \(\/no\/such\/profile.json\) failed: ENOENT/],
    ];
    for (const [opt, message] of cases) {
      const r = daemon.berth(['run', '--rm', '--security-opt', opt, image, 'true']);
      expect({ opt, code: r.code }).toEqual({ opt, code: 125 });
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const notJson = join(daemon.dir, 'bad-profile.json');
    writeFileSync(notJson, '{"defaultAction": ');
    const r = daemon.berth(['create', '--security-opt', `seccomp=${notJson}`, image, 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/is not valid JSON/);
    expect(daemon.berth(['version']).code).toBe(0);
  });
});

describe('exec inherits the container\'s privileges', () => {
  it('gets the container\'s capability set (--cap-add/--cap-drop, --privileged)', () => {
    runDetached('exec-caps', ['--cap-add', 'SYS_TIME', '--cap-drop', 'CHOWN']);
    const want = [...DEFAULT_CAPABILITIES.filter((c) => c !== 'CAP_CHOWN'), 'CAP_SYS_TIME'].sort();
    expect(capsOf(ok(daemon.berth(['exec', 'exec-caps', 'cat', '/proc/self/status'])), 'CapEff')).toEqual(want);
    runDetached('exec-priv', ['--privileged']);
    expect(capsOf(ok(daemon.berth(['exec', 'exec-priv', 'cat', '/proc/self/status'])), 'CapEff')).toEqual(hostBoundingSet().sort());
    runDetached('exec-plain', []);
    expect(capsOf(ok(daemon.berth(['exec', 'exec-plain', 'cat', '/proc/self/status'])), 'CapEff')).toEqual([...DEFAULT_CAPABILITIES].sort());
    ok(daemon.berth(['rm', '-f', 'exec-caps', 'exec-priv', 'exec-plain']));
  });
});

describe('host devices', () => {
  it('--privileged sees the host\'s device nodes; a default container does not', () => {
    const probe = 'for d in /dev/loop-control /dev/kmsg /dev/null; do test -c $d && echo $d; done; ls -l /dev/kmsg 2>/dev/null | cut -c1';
    expect(ok(run(['--privileged'], probe))).toBe('/dev/loop-control\n/dev/kmsg\n/dev/null\nc\n');
    expect(ok(run([], probe))).toBe('/dev/null\n');
  });

  it('--device adds one node, renamed, with the cgroup permissions asked for', () => {
    // loop-control has no write operation: allowed, a write fails with EINVAL; not allowed, the device cgroup says EPERM.
    const script = 'ls -l /dev/lc | cut -c1; echo x > /dev/lc';
    const rw = run(['--device', '/dev/loop-control:/dev/lc'], script);
    expect(rw.stdout).toBe('c\n');
    expect(rw.stderr).toMatch(/Invalid argument/);
    const ro = run(['--device', '/dev/loop-control:/dev/lc:r'], script);
    expect(ro.stdout).toBe('c\n');
    expect(ro.stderr).toMatch(/Operation not permitted/);
    ok(daemon.berth(['create', '--name', 'dev-map', '--device', '/dev/loop-control:rw', image, 'true']));
    expect(inspectContainer(daemon, 'dev-map').HostConfig.Devices).toEqual([{ PathOnHost: '/dev/loop-control', PathInContainer: '/dev/loop-control', CgroupPermissions: 'rw' }]);
    ok(daemon.berth(['rm', 'dev-map']));
  });

  it('refuses a missing device, a non-device and a bad mode with exit 125', () => {
    const cases: [string, RegExp][] = [
      ['/dev/no-such-device', /error gathering device information while adding custom device "\/dev\/no-such-device": no such file or directory/],
      ['/etc/hostname', /"\/etc\/hostname": not a device node/],
      ['/dev/null:/dev/x:rwx', /invalid device mode: rwx/],
      ['dev/null', /device paths must be absolute/],
    ];
    for (const [dev, message] of cases) {
      const r = daemon.berth(['run', '--rm', '--device', dev, image, 'true']);
      expect({ dev, code: r.code }).toEqual({ dev, code: 125 });
      expect(r.stderr).toMatch(message);
    }
  });
});
