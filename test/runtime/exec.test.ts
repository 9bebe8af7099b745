// exec: a second process joins every namespace and cgroup of the container,
// with the process's caps, user, env and cwd; foreground waits, -d detaches.
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox, RUNTIME, DEFAULT_CAPS_MASK, CGROUP_PARENT, hostCgroupOf, leftovers } from './bundle.js';

let sb: Sandbox;
beforeAll(() => { sb = new Sandbox(); });
afterEach(async () => { await sb.cleanup(); });
afterAll(() => sb.destroy());

function startDetached(id: string, args = ['sleep', '1000'], edit?: (c: any) => void): number {
  sb.ids.add(id);
  const r = sb.rt(['run', '-d', '--bundle', sb.bundle(id, args, edit), id]);
  expect(r.code, r.err).toBe(0);
  return sb.state(id).pid;
}

const NS = ['ipc', 'mnt', 'net', 'pid', 'uts', 'cgroup'];

describe('berth-runtime exec', () => {
  it('joins every namespace and cgroup of the container with its caps and exits with the process status', () => {
    const pid = startDetached('x-ns');
    const script = 'echo pid=$$; hostname; for n in ' + NS.join(' ') + '; do readlink /proc/self/ns/$n; done; ' +
      'grep -E "^(CapEff|CapBnd|NoNewPrivs)" /proc/self/status; cat /proc/self/cgroup | grep -c "^"; exit 7';
    const r = sb.rt(['exec', 'x-ns', 'sh', '-c', script]);
    expect(r.code, r.err).toBe(7);
    const lines = r.out.trim().split('\n');
    expect(Number(lines[0].slice(4))).toBeLessThan(10); // in the container's pid namespace
    expect(lines[1]).toBe('x-ns');
    NS.forEach((n, k) => expect(lines[2 + k], n).toBe(readlinkSync(`/proc/${pid}/ns/${n}`)));
    expect(BigInt('0x' + r.out.match(/CapEff:\s*(\w+)/)![1])).toBe(DEFAULT_CAPS_MASK);
    expect(BigInt('0x' + r.out.match(/CapBnd:\s*(\w+)/)![1])).toBe(DEFAULT_CAPS_MASK);
    expect(r.out).toMatch(/NoNewPrivs:\s*1/);
    expect(r.out.trim().split('\n').pop()).toBe(String(hostCgroupOf(pid).size)); // a cgroup ns: one line per hierarchy
  });

  it('applies --env, --cwd, --user and -d with --pid-file; the process is in the container cgroup', async () => {
    startDetached('x-opts');
    let r = sb.rt(['exec', '--env', 'FOO=bar', '-e', 'PATH=/bin', '--cwd', '/tmp', '--user', '1000:1001', 'x-opts',
      'sh', '-c', 'echo $FOO $PATH; pwd; id -u; id -g']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe('bar /bin\n/tmp\n1000\n1001\n');
    const pidFile = join(sb.dir, 'exec.pid');
    r = sb.rt(['exec', '-d', '--pid-file', pidFile, 'x-opts', 'sleep', '555']);
    expect(r.code, r.err).toBe(0);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toBe('sleep\x00555\x00');
    for (const [ctrls, path] of hostCgroupOf(pid)) expect(path, ctrls).toBe(`/${CGROUP_PARENT}/x-opts`);
    const ps = sb.rt(['ps', '--format', 'json', 'x-opts']);
    expect(ps.code, ps.err).toBe(0);
    expect(JSON.parse(ps.out)).toContain(pid);
  });

  it('runs a --process JSON file, and fails clearly for a missing command', () => {
    startDetached('x-proc');
    const proc = join(sb.dir, 'process.json');
    writeFileSync(proc, JSON.stringify({ args: ['sh', '-c', 'echo from-file $A; id -u'], env: ['A=1', 'PATH=/bin'], cwd: '/', user: { uid: 33, gid: 33 } }));
    let r = sb.rt(['exec', '--process', proc, 'x-proc']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe('from-file 1\n33\n');
    r = sb.rt(['exec', 'x-proc', 'no-such-binary']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/berth-runtime exec failed: exec: "no-such-binary": executable file not found in \$PATH/);
    r = sb.rt(['exec', 'x-nope', 'true']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/container "x-nope" does not exist/);
  });

  it('exec -t in the foreground gets a terminal', () => {
    startDetached('x-tty');
    const r = sb.rt(['exec', '-t', 'x-tty', 'sh', '-c', 'tty; test -t 1 && echo tty-ok']);
    expect(r.code, r.err).toBe(0);
    expect(r.out.replace(/\r/g, '')).toMatch(/^\/dev\/pts\/\d+\ntty-ok\n$/);
  });

  it('--preserve-fds passes extra fds to the init and to exec, and closes the others', async () => {
    const id = 'x-fds';
    sb.ids.add(id);
    const bundle = sb.bundle(id, ['sh', '-c', 'echo via-fd3 >&3; exec sleep 1000']);
    const child = spawn(RUNTIME, ['--root', sb.root, 'run', '--preserve-fds', '1', '--bundle', bundle, id], {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
    });
    sb.children.push(child);
    // fd 3 of the runtime is a pipe to us; the container writes to it. fd 4 is not passed on.
    let via = '';
    await new Promise<void>((resolve) => (child.stdio[3] as NodeJS.ReadableStream).on('data', (d) => { via += d; resolve(); }));
    expect(via).toBe('via-fd3\n');
    const pid = sb.state(id).pid;
    expect(readdirSync(`/proc/${pid}/fd`).map(Number).sort()).toEqual([0, 1, 2, 3]);
    // exec passes its own fd 3 too.
    const ex = spawnSync(RUNTIME, ['--root', sb.root, 'exec', '--preserve-fds', '1', id, 'sh', '-c', 'echo exec-fd3 >&3'], {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'], encoding: 'utf8',
    });
    expect(ex.status, ex.stderr).toBe(0);
    expect(ex.output[3]).toBe('exec-fd3\n');
    expect(sb.rt(['kill', id, 'KILL']).code).toBe(0);
    expect(await new Promise<number | null>((r) => child.on('exit', r))).toBe(137);
    expect(leftovers(sb, id)).toEqual([]);
  });

  it('--additional-gids adds supplementary groups', () => {
    startDetached('x-gids');
    const r = sb.rt(['exec', '--user', '1000:1000', '-g', '10', '--additional-gids', '20,30', 'x-gids', 'id', '-G']);
    expect(r.code, r.err).toBe(0);
    expect(r.out.trim().split(' ').map(Number).sort((a, b) => a - b)).toEqual([10, 20, 30, 1000]);
    expect(sb.rt(['exec', '-g', 'wheel', 'x-gids', 'true']).err).toMatch(/--additional-gids wheel: use numbers/);
  });

  it('--cgroup puts the process in an existing sub-cgroup, per controller or in every hierarchy', () => {
    const pid = startDetached('x-cg');
    const cgs = hostCgroupOf(pid);
    const mountOf = (ctrls: string) => (ctrls === '' ? '/sys/fs/cgroup/unified' : `/sys/fs/cgroup/${ctrls.replace(/^name=/, '')}`);
    const memoryKey = [...cgs.keys()].find((k) => k.split(',').includes('memory'))!;
    for (const [ctrls, path] of cgs) {
      const dir = join(mountOf(ctrls), path);
      mkdirSync(join(dir, 'sub'), { recursive: true });
      // a v1 cpuset child starts with no cpus or memory nodes: give it its parent's
      if (ctrls.split(',').includes('cpuset')) {
        for (const f of ['cpuset.cpus', 'cpuset.mems']) writeFileSync(join(dir, 'sub', f), readFileSync(join(dir, f)));
      }
    }
    // memory only
    let r = sb.rt(['exec', '--cgroup', 'memory:sub', 'x-cg', 'cat', '/proc/self/cgroup']);
    expect(r.code, r.err).toBe(0);
    for (const line of r.out.trim().split('\n')) {
      const [, ctrls, path] = line.split(/:(.*?):/);
      expect(path, line).toBe(ctrls === memoryKey ? '/sub' : '/');
    }
    // every hierarchy
    r = sb.rt(['exec', '-d', '--pid-file', join(sb.dir, 'cg.pid'), '--cgroup', 'sub', 'x-cg', 'sleep', '100']);
    expect(r.code, r.err).toBe(0);
    const execPid = Number(readFileSync(join(sb.dir, 'cg.pid'), 'utf8'));
    for (const [ctrls, path] of hostCgroupOf(execPid)) expect(path, ctrls).toBe(`${cgs.get(ctrls)}/sub`);
    expect(sb.rt(['exec', '--cgroup', 'nope', 'x-cg', 'true']).err).toMatch(/sub-cgroup .*nope does not exist/);
    expect(sb.rt(['exec', '--cgroup', 'bogusctl:sub', 'x-cg', 'true']).err).toMatch(/no cgroup v1 hierarchy for controller "bogusctl"/);
    expect(sb.rt(['exec', '--cgroup', '../escape', 'x-cg', 'true']).err).toMatch(/inside the container's cgroup/);
  });

  it('--apparmor and --process-label fail clearly on a host without those security modules', () => {
    startDetached('x-lsm');
    const aaFile = '/sys/module/apparmor/parameters/enabled';
    const aa = existsSync(aaFile) && readFileSync(aaFile, 'utf8').startsWith('Y');
    const r = sb.rt(['exec', '--apparmor', 'some-profile', 'x-lsm', 'true']);
    if (aa) expect(r.err).toMatch(/some-profile/);
    else expect(r.err).toMatch(/AppArmor is not enabled on this host/);
    expect(r.code).not.toBe(0);
    const se = sb.rt(['exec', '--process-label', 'system_u:system_r:container_t:s0', 'x-lsm', 'true']);
    expect(se.code).not.toBe(0);
    expect(se.err).toMatch(/SELinux is not enabled on this host/);
  });
});
