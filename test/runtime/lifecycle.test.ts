// create → state → start → state → kill → delete, run's exit codes, cgroups.
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { Sandbox, RUNTIME, CGROUP_PARENT, cgroupMounts, hostCgroupOf, leftovers, subtreeControlRestorer } from './bundle.js';

let sb: Sandbox;
beforeAll(() => { sb = new Sandbox(); });
afterEach(async () => { await sb.cleanup(); });
afterAll(() => sb.destroy());

async function waitFor(pred: () => boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('berth-runtime lifecycle', () => {
  it('run returns the container exit code', () => {
    const r = sb.run('exit3', ['sh', '-c', 'exit 3']);
    expect(r.code, r.err).toBe(3);
    expect(leftovers(sb, 'exit3')).toEqual([]);
  });

  it('run passes the process output through and exits 0', () => {
    const r = sb.run('echo', ['echo', 'hello from berth']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe('hello from berth\n');
  });

  it('run reports 128+signal when the container is killed', async () => {
    const c = sb.runAsync('killed', ['sleep', '100']);
    await waitFor(() => sb.rt(['state', 'killed']).out.includes('"running"'));
    expect(sb.rt(['kill', 'killed', 'KILL']).code).toBe(0);
    const code = await new Promise<number | null>((r) => c.on('exit', r));
    expect(code).toBe(137);
    expect(leftovers(sb, 'killed')).toEqual([]);
  });

  it('create leaves the init blocked, start runs it, delete cleans up', async () => {
    const id = 'cycle';
    sb.ids.add(id);
    const bundle = sb.bundle(id, ['sh', '-c', 'echo started > /tmp/started-cycle; sleep 100']);
    const pidFile = join(sb.dir, 'cycle.pid');
    const c = sb.rt(['create', '--bundle', bundle, '--pid-file', pidFile, id]);
    expect(c.code, c.err).toBe(0);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    let st = sb.state(id);
    expect(st).toMatchObject({ id, status: 'created', pid, bundle, ociVersion: expect.stringMatching(/^1\./) });
    expect(st.annotations).toEqual({});
    expect(existsSync(join(sb.root, id, 'state.json'))).toBe(true);
    expect(existsSync(join(sb.rootfs, 'tmp/started-cycle'))).toBe(false);
    // The init sits in the container cgroup in every hierarchy, with limits applied.
    const cg = hostCgroupOf(pid);
    for (const [ctrls, path] of cg) expect(path, ctrls).toBe(`/${CGROUP_PARENT}/${id}`);
    for (const m of cgroupMounts()) {
      const dir = join(m.dir, CGROUP_PARENT, id);
      expect(readFileSync(join(dir, 'cgroup.procs'), 'utf8').trim().split('\n')).toContain(String(pid));
    }
    const v1 = (c: string, f: string) => join('/sys/fs/cgroup', c, CGROUP_PARENT, id, f);
    if (existsSync('/sys/fs/cgroup/memory')) {
      expect(readFileSync(v1('memory', 'memory.limit_in_bytes'), 'utf8').trim()).toBe(String(64 * 1024 * 1024));
      expect(readFileSync(v1('pids', 'pids.max'), 'utf8').trim()).toBe('100');
      expect(readFileSync(v1('cpu', 'cpu.shares'), 'utf8').trim()).toBe('512');
    } else {
      expect(readFileSync(join('/sys/fs/cgroup', CGROUP_PARENT, id, 'memory.max'), 'utf8').trim()).toBe(String(64 * 1024 * 1024));
      expect(readFileSync(join('/sys/fs/cgroup', CGROUP_PARENT, id, 'pids.max'), 'utf8').trim()).toBe('100');
    }

    const s = sb.rt(['start', id]);
    expect(s.code, s.err).toBe(0);
    await waitFor(() => existsSync(join(sb.rootfs, 'tmp/started-cycle')));
    st = sb.state(id);
    expect(st.status).toBe('running');
    expect(existsSync(join(sb.root, id, 'exec.fifo'))).toBe(false);

    const again = sb.rt(['start', id]);
    expect(again.code).not.toBe(0);
    expect(again.err).toMatch(/cannot start container "cycle": it is running, not created/);

    const del = sb.rt(['delete', id]);
    expect(del.code).toBe(1);
    expect(del.err).toMatch(/cannot delete container "cycle" that is not stopped: running/);

    const list = JSON.parse(sb.rt(['list', '--format', 'json']).out);
    expect(list.map((c: any) => c.id)).toContain(id);
    expect(sb.rt(['list', '-q']).out.split('\n')).toContain(id);

    expect(sb.rt(['kill', id, 'SIGTERM']).code).toBe(0); // pid 1 ignores TERM without a handler
    expect(sb.rt(['kill', id, '9']).code).toBe(0);
    await waitFor(() => sb.state(id).status === 'stopped');
    expect(sb.state(id).pid).toBe(0);
    const k = sb.rt(['kill', id, 'KILL']);
    expect(k.code).toBe(1);
    expect(k.err).toMatch(/is not running/);

    const d = sb.rt(['delete', id]);
    expect(d.code, d.err).toBe(0);
    expect(leftovers(sb, id)).toEqual([]);
    const gone = sb.rt(['state', id]);
    expect(gone.code).toBe(1);
    expect(gone.err).toMatch(/container "cycle" does not exist/);
    rmSync(join(sb.rootfs, 'tmp/started-cycle'), { force: true });
  });

  it('delete --force kills a running container and removes everything', async () => {
    const id = 'forced';
    sb.ids.add(id);
    expect(sb.rt(['run', '-d', '--bundle', sb.bundle(id, ['sh', '-c', 'sleep 100 & sleep 100']), id]).code).toBe(0);
    expect(sb.state(id).status).toBe('running');
    const r = sb.rt(['delete', '--force', id]);
    expect(r.code, r.err).toBe(0);
    expect(leftovers(sb, id)).toEqual([]);
  });

  it('kill --all signals every process of the container', async () => {
    const id = 'killall';
    sb.ids.add(id);
    expect(sb.rt(['run', '-d', '--bundle', sb.bundle(id, ['sh', '-c', 'sleep 100 & sleep 100 & wait']), id]).code).toBe(0);
    const pid = sb.state(id).pid;
    await waitFor(() => readFileSync(join('/sys/fs/cgroup/pids', CGROUP_PARENT, id, 'cgroup.procs'), 'utf8').trim().split('\n').length === 3);
    expect(sb.rt(['kill', '--all', id, 'KILL']).code).toBe(0);
    await waitFor(() => sb.state(id).status === 'stopped');
    expect(pid).toBeGreaterThan(0);
    expect(sb.rt(['delete', id]).code).toBe(0);
  });

  it('delete of a created container kills its blocked init', () => {
    const id = 'created-del';
    sb.ids.add(id);
    expect(sb.rt(['create', '--bundle', sb.bundle(id, ['true']), id]).code).toBe(0);
    expect(sb.state(id).status).toBe('created');
    expect(sb.rt(['delete', id]).code).toBe(0);
    expect(leftovers(sb, id)).toEqual([]);
  });

  it('uses the cgroup2 mount alone on a pure cgroup v2 host', () => {
    const id = 'purev2';
    sb.ids.add(id);
    const bundle = sb.bundle(id, ['sh', '-c', 'cat /proc/self/cgroup; grep " /sys/fs/cgroup " /proc/self/mountinfo'], (c) => {
      c.linux.resources = {}; // on a hybrid host the v2 tree has no controllers to limit with
    });
    const pure = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => / \/sys\/fs\/cgroup .* - cgroup2 /.test(l));
    // On a v1/hybrid host, emulate a pure v2 host in a private mount namespace.
    const cmd = `${pure ? '' : 'umount -l /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && '}` +
      `exec ${RUNTIME} --root ${sb.root} run --bundle ${bundle} ${id}; `;
    const v2 = cgroupMounts().find((m) => m.v2)!.dir;
    const restore = subtreeControlRestorer([v2, join(v2, CGROUP_PARENT)]);
    const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', cmd + `echo`], { encoding: 'utf8' });
    restore();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^0::\/$/m);
    expect(r.stdout).toMatch(/ \/sys\/fs\/cgroup ro,.* - cgroup2 /);
    const check = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c',
      `${pure ? '' : 'umount -l /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && '}test ! -e /sys/fs/cgroup/${CGROUP_PARENT}/${id} && echo gone`],
      { encoding: 'utf8' });
    expect(check.stdout.trim()).toBe('gone');
  });

  it('delete --force of an unknown container succeeds, delete without it fails', () => {
    expect(sb.rt(['delete', '--force', 'never-was']).code).toBe(0);
    const r = sb.rt(['delete', 'never-was']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/container "never-was" does not exist/);
  });
});
