// berth-runtime on a pure cgroup v2 layout, against real kernel state. This
// host is hybrid (v1 controllers, cgroup2 at /sys/fs/cgroup/unified offering
// only hugetlb), so each runtime command runs in a private mount namespace
// where a tmpfs and then the host's cgroup2 hierarchy are mounted over
// /sys/fs/cgroup: the runtime sees no v1 at all, and the test checks the very
// same cgroups from the host side through /sys/fs/cgroup/unified.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox, cgroupMounts, subtreeControlRestorer } from './bundle.js';

const UNIFIED = cgroupMounts().find((m) => m.v2)!.dir;
const PARENT = `berth-v2real-${process.pid}`;
const HUGE = '2MB';
/** Every huge page size the host offers, named as cgroup files name them (2MB, 1GB): the stats report each. */
const hostHugeSizes = (): string[] =>
  readdirSync('/sys/kernel/mm/hugepages')
    .map((d) => Number(/^hugepages-(\d+)kB$/.exec(d)?.[1] ?? 0))
    .filter((kb) => kb > 0)
    .map((kb) => (kb >= 1 << 20 ? `${kb >> 20}GB` : kb >= 1 << 10 ? `${kb >> 10}MB` : `${kb}KB`));
const hostDir = (...p: string[]) => join(UNIFIED, PARENT, ...p);
const read = (...p: string[]) => readFileSync(hostDir(...p), 'utf8');
const PURE_V2 = ['unshare', '-m', '--propagation', 'private', 'sh', '-c',
  'mount -t tmpfs berth-v2 /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && exec "$0" "$@"'];

let sb: Sandbox;
let restoreControl: () => void;
const ids = new Set<string>();
const v2rt = (args: string[]) => sb.rt(args, { wrap: PURE_V2 });

beforeAll(() => {
  sb = new Sandbox();
  restoreControl = subtreeControlRestorer([UNIFIED]);
});
afterEach(async () => {
  await sb.cleanup();
  for (const id of ids) v2rt(['delete', '--force', id]);
  ids.clear();
});
afterAll(() => {
  sb.destroy();
  // The runtime removes a container's own cgroup; the parents are ours (v1 ones too, from the hybrid test).
  for (const m of cgroupMounts()) removeTree(join(m.dir, PARENT));
  restoreControl();
  expect(processesUnderParent()).toEqual([]);
  for (const m of cgroupMounts()) expect(existsSync(join(m.dir, PARENT))).toBe(false);
  expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain('berth-v2'); // the private views never leak out
});

function removeTree(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) removeTree(join(dir, e.name));
  rmdirSync(dir);
}

/** Live processes the kernel places anywhere under our parent cgroup (from /proc, host side;
 * a zombie waiting for the host's init to reap it keeps its last cgroup but no resources). */
function processesUnderParent(): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).flatMap((p) => {
    try {
      if (!readFileSync(`/proc/${p}/cgroup`, 'utf8').includes(`0::/${PARENT}/`)) return [];
      return procState(Number(p)) === 'Z' ? [] : [Number(p)];
    } catch { return []; }
  });
}

function resources(c: any, r: object): void { c.linux.resources = { devices: [{ allow: false, access: 'rwm' }], ...r }; }

function startV2(id: string, args: string[], r: object, cgroupsPath = `/${PARENT}/${id}`): number {
  ids.add(id);
  const b = sb.bundle(id, args, (c) => { resources(c, r); c.linux.cgroupsPath = cgroupsPath; });
  const res = v2rt(['run', '-d', '--bundle', b, id]);
  expect(res.code, res.err).toBe(0);
  const st = v2rt(['state', id]);
  expect(st.code, st.err).toBe(0);
  return JSON.parse(st.out).pid;
}

const procState = (pid: number) => readFileSync(`/proc/${pid}/status`, 'utf8').match(/State:\s*(\S)/)![1];
const frozen = (id: string) => read(id, 'cgroup.events').match(/^frozen (\d)$/m)![1];
const hugeLimit = { hugepageLimits: [{ pageSize: HUGE, limit: 8 << 20 }] };

describe('berth-runtime on a pure cgroup v2 layout (private mount namespace)', () => {
  it('places, limits, freezes, lists, reports and removes the container in cgroup2', () => {
    const id = 'v2-life';
    // A busy loop: runnable ("R") until frozen.
    const pid = startV2(id, ['sh', '-c', 'sleep 1000 & while :; do :; done'], hugeLimit);
    // Pure v2 detected: the state names one cgroup, the v2 path; no v1 hierarchy.
    const state = JSON.parse(readFileSync(join(sb.root, id, 'state.json'), 'utf8'));
    expect(state.cgroupPaths).toEqual([`/sys/fs/cgroup/${PARENT}/${id}`]);
    expect(readFileSync(`/proc/${pid}/cgroup`, 'utf8')).toMatch(new RegExp(`^0::/${PARENT}/${id}$`, 'm'));
    expect(read(id, 'cgroup.procs').split('\n')).toContain(String(pid));
    // hugetlb was enabled top-down and the limit written to hugetlb.2MB.max.
    expect(readFileSync(join(UNIFIED, 'cgroup.subtree_control'), 'utf8')).toMatch(/\bhugetlb\b/);
    expect(read('cgroup.subtree_control')).toMatch(/\bhugetlb\b/);
    expect(read(id, `hugetlb.${HUGE}.max`).trim()).toBe(String(8 << 20));
    if (existsSync(hostDir(id, `hugetlb.${HUGE}.rsvd.max`))) expect(read(id, `hugetlb.${HUGE}.rsvd.max`).trim()).toBe(String(8 << 20));
    // Inside, the container sees its own cgroup2 (cgroup namespace) with that limit.
    const ex = v2rt(['exec', id, 'sh', '-c', `grep " /sys/fs/cgroup " /proc/self/mountinfo; cat /sys/fs/cgroup/hugetlb.${HUGE}.max`]);
    expect(ex.code, ex.err).toBe(0);
    expect(ex.out).toMatch(/ \/sys\/fs\/cgroup .* - cgroup2 /);
    expect(ex.out).toMatch(new RegExp(`^${8 << 20}$`, 'm'));

    let ps = v2rt(['ps', '--format', 'json', id]);
    for (let k = 0; k < 100 && JSON.parse(ps.out).length < 2; k++) ps = v2rt(['ps', '--format', 'json', id]);
    expect(ps.code, ps.err).toBe(0);
    const pids: number[] = JSON.parse(ps.out);
    expect(pids).toContain(pid);
    expect(pids.sort()).toEqual(read(id, 'cgroup.procs').trim().split('\n').map(Number).sort());

    expect(procState(pid)).toBe('R');
    expect(frozen(id)).toBe('0');
    let r = v2rt(['pause', id]);
    expect(r.code, r.err).toBe(0);
    expect(read(id, 'cgroup.freeze').trim()).toBe('1');
    expect(frozen(id)).toBe('1');
    expect(procState(pid)).toBe('S'); // the v2 freezer parks tasks in an interruptible trap
    expect(JSON.parse(v2rt(['state', id]).out).status).toBe('paused');
    r = v2rt(['resume', id]);
    expect(r.code, r.err).toBe(0);
    expect(read(id, 'cgroup.freeze').trim()).toBe('0');
    expect(frozen(id)).toBe('0');
    expect(JSON.parse(v2rt(['state', id]).out).status).toBe('running');
    expect(procState(pid)).toBe('R');

    r = v2rt(['events', '--stats', id]);
    expect(r.code, r.err).toBe(0);
    const ev = JSON.parse(r.out);
    expect(ev).toMatchObject({ type: 'stats', id });
    expect(ev.data.cpu.usage.total).toBeGreaterThan(0); // cpu.stat exists without the cpu controller
    expect(ev.data.cpu.usage.user).toBeGreaterThan(0);
    expect(ev.data.hugetlb).toEqual(Object.fromEntries(hostHugeSizes().map((size) => [size, { usage: 0, max: 0, failcnt: 0 }])));
    expect(Object.keys(ev.data.hugetlb)).toContain(HUGE);
    // No memory or pids controller on this host's v2: those read as zero.
    expect(ev.data.memory.usage).toEqual({ limit: 0, usage: 0, max: 0, failcnt: 0 });
    expect(ev.data.pids).toEqual({ current: 0, limit: 0 });

    // update moves the hugetlb limit.
    const res = join(sb.dir, 'huge.json');
    writeFileSync(res, JSON.stringify({ hugepageLimits: [{ pageSize: HUGE, limit: 4 << 20 }] }));
    r = v2rt(['update', '-r', res, id]);
    expect(r.code, r.err).toBe(0);
    expect(read(id, `hugetlb.${HUGE}.max`).trim()).toBe(String(4 << 20));

    r = v2rt(['kill', id, 'KILL']);
    expect(r.code, r.err).toBe(0);
    for (let k = 0; k < 500 && existsSync(`/proc/${pid}`) && procState(pid) !== 'Z'; k++) spawnSync('sleep', ['0.01']);
    r = v2rt(['delete', id]);
    expect(r.code, r.err).toBe(0);
    ids.delete(id);
    expect(existsSync(hostDir(id))).toBe(false);
    expect(existsSync(join(sb.root, id))).toBe(false);
    expect(processesUnderParent()).toEqual([]);
  });

  it('kill --all goes through cgroup.kill: it reaches a sub-cgroup and a process outside the pid namespace', async () => {
    const id = 'v2-kill';
    const pid = startV2(id, ['sleep', '1000'], {});
    expect(existsSync(hostDir(id, 'cgroup.kill'))).toBe(true);
    // A host process (not in the container's pid namespace) in a sub-cgroup:
    // reading the container's cgroup.procs would miss it, cgroup.kill does not.
    mkdirSync(hostDir(id, 'extra'));
    const outsider = spawn('sleep', ['1000'], { stdio: 'ignore' });
    const gone = new Promise<NodeJS.Signals | null>((res) => outsider.on('exit', (_c, sig) => res(sig)));
    writeFileSync(hostDir(id, 'extra', 'cgroup.procs'), String(outsider.pid));
    expect(read(id, 'cgroup.procs').trim()).toBe(String(pid));
    expect(v2rt(['pause', id]).code).toBe(0);
    expect(frozen(id)).toBe('1');
    const r = v2rt(['kill', '--all', id, 'KILL']);
    expect(r.code, r.err).toBe(0);
    expect(await gone).toBe('SIGKILL');
    const d = v2rt(['delete', '--force', id]);
    expect(d.code, d.err).toBe(0);
    ids.delete(id);
    expect(existsSync(hostDir(id))).toBe(false);
    expect(processesUnderParent()).toEqual([]);
  });

  it('a limit whose controller cgroup v2 does not offer here fails, naming the controller (as runc fails)', () => {
    const offered = readFileSync(join(UNIFIED, 'cgroup.controllers'), 'utf8').trim();
    const cases: [string, object, RegExp][] = [
      ['memory', { memory: { limit: 64 << 20 } }, /linux\.resources\.memory\.limit needs the memory controller: cgroup v2 does not offer the memory controller at \/sys\/fs\/cgroup/],
      ['pids', { pids: { limit: 50 } }, /linux\.resources\.pids\.limit needs the pids controller: cgroup v2 does not offer the pids controller/],
      ['cpu', { cpu: { shares: 512 } }, /linux\.resources\.cpu\.shares needs the cpu controller/],
      ['io', { blockIO: { weight: 500 } }, /linux\.resources\.blockIO\.weight needs the io controller: cgroup v2 does not offer the io controller/],
    ];
    for (const [ctrl, r, msg] of cases) {
      if (offered.split(' ').includes(ctrl)) continue; // a host where v2 has it: nothing to refuse
      const id = `v2-no-${ctrl}`;
      ids.add(id);
      const res = v2rt(['run', '--bundle', sb.bundle(id, ['true'], (c) => { resources(c, r); c.linux.cgroupsPath = `/${PARENT}/${id}`; }), id]);
      expect(res.code).toBe(1);
      expect(res.err).toMatch(msg);
      expect(res.err).toContain(`(its cgroup.controllers: "${offered}"`);
      expect(existsSync(hostDir(id))).toBe(false);
      expect(existsSync(join(sb.root, id))).toBe(false);
    }
    const id = 'v2-badsize';
    ids.add(id);
    const res = v2rt(['run', '--bundle', sb.bundle(id, ['true'], (c) => {
      resources(c, { hugepageLimits: [{ pageSize: '3MB', limit: 1 << 20 }] }); c.linux.cgroupsPath = `/${PARENT}/${id}`;
    }), id]);
    expect(res.code).toBe(1);
    expect(res.err).toMatch(/hugepageLimits\[0\]\.pageSize "3MB" is not a huge page size of this kernel \(it has: .*2MB/);
    expect(existsSync(hostDir(id))).toBe(false);
  });

  it('with the runtime inside a nested cgroup: a relative path goes beside it; a busy parent is refused clearly', () => {
    mkdirSync(hostDir('nest', 'runner'), { recursive: true });
    const nested = [...PURE_V2.slice(0, -1),
      PURE_V2.at(-1)!.replace('&& exec', () => `&& echo $$ > /sys/fs/cgroup/${PARENT}/nest/runner/cgroup.procs && exec`)];
    // Relative cgroupsPath: like runc, under the parent of the runtime's own
    // cgroup (which has the runtime in it, so could give no controllers).
    let id = 'v2-rel';
    ids.add(id);
    let b = sb.bundle(id, ['sleep', '1000'], (c) => { resources(c, hugeLimit); c.linux.cgroupsPath = id; });
    let r = sb.rt(['run', '-d', '--bundle', b, id], { wrap: nested });
    expect(r.code, r.err).toBe(0);
    const pid = JSON.parse(v2rt(['state', id]).out).pid;
    expect(readFileSync(`/proc/${pid}/cgroup`, 'utf8')).toMatch(new RegExp(`^0::/${PARENT}/nest/${id}$`, 'm'));
    expect(read('nest', id, `hugetlb.${HUGE}.max`).trim()).toBe(String(8 << 20));
    r = v2rt(['delete', '--force', id]);
    expect(r.code, r.err).toBe(0);
    ids.delete(id);
    expect(existsSync(hostDir('nest', id))).toBe(false);
    // An absolute path below the runtime's own, busy cgroup: no controller can be enabled there.
    id = 'v2-busy';
    ids.add(id);
    b = sb.bundle(id, ['true'], (c) => { resources(c, hugeLimit); c.linux.cgroupsPath = `/${PARENT}/nest/runner/${id}`; });
    r = sb.rt(['run', '--bundle', b, id], { wrap: nested });
    expect(r.code).toBe(1);
    expect(r.err).toMatch(new RegExp(`linux\\.resources\\.hugepageLimits\\[0\\] \\(2MB\\) needs the hugetlb controller: cannot enable the hugetlb controller for /sys/fs/cgroup/${PARENT}/nest/runner/${id}: /sys/fs/cgroup/${PARENT}/nest/runner has processes of its own`));
    expect(existsSync(hostDir('nest', 'runner', id))).toBe(false);
    expect(read('nest', 'runner', 'cgroup.procs')).toBe(''); // the runtime has exited
    rmdirSync(hostDir('nest', 'runner'));
    rmdirSync(hostDir('nest'));
  });
});

describe('berth-runtime hugetlb on the host layout', () => {
  it('writes hugepageLimits to the hierarchy that owns hugetlb (v2 on this hybrid host)', () => {
    const v1 = cgroupMounts().find((m) => !m.v2 && existsSync(join(m.dir, `hugetlb.${HUGE}.limit_in_bytes`)));
    const id = 'hy-huge';
    sb.ids.add(id);
    const b = sb.bundle(id, ['sleep', '1000'], (c) => {
      c.linux.resources.hugepageLimits = [{ pageSize: HUGE, limit: 6 << 20 }];
      c.linux.cgroupsPath = `/${PARENT}/${id}`;
    });
    let r = sb.rt(['run', '-d', '--bundle', b, id]);
    expect(r.code, r.err).toBe(0);
    const file = v1 ? join(v1.dir, PARENT, id, `hugetlb.${HUGE}.limit_in_bytes`) : hostDir(id, `hugetlb.${HUGE}.max`);
    expect(readFileSync(file, 'utf8').trim()).toBe(String(6 << 20));
    r = sb.rt(['events', '--stats', id]);
    expect(r.code, r.err).toBe(0);
    expect(JSON.parse(r.out).data.hugetlb[HUGE]).toEqual({ usage: 0, max: 0, failcnt: 0 });
    const res = join(sb.dir, 'hy.json');
    writeFileSync(res, JSON.stringify({ hugepageLimits: [{ pageSize: HUGE, limit: 2 << 20 }] }));
    r = sb.rt(['update', '-r', res, id]);
    expect(r.code, r.err).toBe(0);
    expect(readFileSync(file, 'utf8').trim()).toBe(String(2 << 20));
    r = sb.rt(['delete', '--force', id]);
    expect(r.code, r.err).toBe(0);
    sb.ids.delete(id);
    for (const m of cgroupMounts()) expect(existsSync(join(m.dir, PARENT, id))).toBe(false);
  });
});
