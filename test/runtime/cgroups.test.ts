// pause/resume, ps, update, events and device rules against the real cgroup
// files (v1 controllers on a hybrid host; the device BPF program under a
// private pure-v2 view).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox, RUNTIME, CGROUP_PARENT, cgroupMounts, leftovers, subtreeControlRestorer } from './bundle.js';

let sb: Sandbox;
beforeAll(() => { sb = new Sandbox(); });
afterEach(async () => { await sb.cleanup(); });
afterAll(() => sb.destroy());

const V1 = existsSync('/sys/fs/cgroup/memory/cgroup.procs');
const cgfile = (ctrl: string, id: string, f: string) =>
  V1 ? join('/sys/fs/cgroup', ctrl, CGROUP_PARENT, id, f) : join('/sys/fs/cgroup', CGROUP_PARENT, id, f);

function startDetached(id: string, args = ['sleep', '1000'], edit?: (c: any) => void): number {
  sb.ids.add(id);
  const r = sb.rt(['run', '-d', '--bundle', sb.bundle(id, args, edit), id]);
  expect(r.code, r.err).toBe(0);
  return sb.state(id).pid;
}

const procState = (pid: number) => readFileSync(`/proc/${pid}/status`, 'utf8').match(/State:\s*(\S)/)![1];

describe('berth-runtime cgroup commands', () => {
  it('pause freezes every process, shows "paused", resume thaws', () => {
    const pid = startDetached('c-pause');
    expect(sb.rt(['pause', 'c-pause']).code).toBe(0);
    expect(sb.state('c-pause').status).toBe('paused');
    const list = JSON.parse(sb.rt(['list', '--format', 'json']).out);
    expect(list.find((c: any) => c.id === 'c-pause').status).toBe('paused');
    if (V1) expect(readFileSync(cgfile('freezer', 'c-pause', 'freezer.state'), 'utf8').trim()).toBe('FROZEN');
    expect(procState(pid)).toBe('D'); // frozen tasks sleep uninterruptibly in the freezer
    let r = sb.rt(['pause', 'c-pause']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot pause container "c-pause": it is paused, not running/);
    r = sb.rt(['exec', 'c-pause', 'true']);
    expect(r.err).toMatch(/cannot exec in a paused container/);
    r = sb.rt(['delete', 'c-pause']);
    expect(r.err).toMatch(/that is not stopped: paused/);
    expect(sb.rt(['resume', 'c-pause']).code).toBe(0);
    expect(sb.state('c-pause').status).toBe('running');
    expect(procState(pid)).toBe('S');
    r = sb.rt(['resume', 'c-pause']);
    expect(r.err).toMatch(/cannot resume container "c-pause": it is running, not paused/);
  });

  it('kill --all and delete --force work on a paused container', () => {
    startDetached('c-pkill', ['sh', '-c', 'sleep 1000 & sleep 1000 & wait']);
    expect(sb.rt(['pause', 'c-pkill']).code).toBe(0);
    expect(sb.rt(['kill', '--all', 'c-pkill', 'KILL']).code).toBe(0);
    const r = sb.rt(['delete', '--force', 'c-pkill']);
    expect(r.code, r.err).toBe(0);
    expect(leftovers(sb, 'c-pkill')).toEqual([]);
  });

  it('ps lists the container processes as JSON and as a table', () => {
    const pid = startDetached('c-ps', ['sh', '-c', 'sleep 1000 & wait']);
    let r = sb.rt(['ps', '--format', 'json', 'c-ps']);
    for (let k = 0; k < 100 && JSON.parse(r.out).length < 2; k++) r = sb.rt(['ps', '--format', 'json', 'c-ps']);
    const pids: number[] = JSON.parse(r.out);
    expect(pids).toContain(pid);
    expect(pids).toHaveLength(2);
    r = sb.rt(['ps', 'c-ps']);
    expect(r.code, r.err).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(/^UID\s+PID\s+PPID\s+CMD/);
    expect(r.out).toMatch(new RegExp(`^0\\s+${pid}\\s+\\d+\\s+sh -c sleep 1000 & wait$`, 'm'));
    expect(r.out).toMatch(/\ssleep 1000$/m);
  });

  it('update changes limits from flags and from a resources file', () => {
    startDetached('c-upd');
    let r = sb.rt(['update', '--memory', '96m', '--pids-limit', '50', '--cpu-shares', '256', '--cpu-quota', '50000',
      '--cpu-period', '100000', '--cpuset-cpus', '0', 'c-upd']);
    expect(r.code, r.err).toBe(0);
    if (V1) {
      expect(readFileSync(cgfile('memory', 'c-upd', 'memory.limit_in_bytes'), 'utf8').trim()).toBe(String(96 << 20));
      expect(readFileSync(cgfile('pids', 'c-upd', 'pids.max'), 'utf8').trim()).toBe('50');
      expect(readFileSync(cgfile('cpu', 'c-upd', 'cpu.shares'), 'utf8').trim()).toBe('256');
      expect(readFileSync(cgfile('cpu', 'c-upd', 'cpu.cfs_quota_us'), 'utf8').trim()).toBe('50000');
      expect(readFileSync(cgfile('cpuset', 'c-upd', 'cpuset.cpus'), 'utf8').trim()).toBe('0');
    }
    const res = join(sb.dir, 'res.json');
    writeFileSync(res, JSON.stringify({ memory: { limit: 32 << 20, swap: 48 << 20 }, pids: { limit: 20 } }));
    r = sb.rt(['update', '-r', res, 'c-upd']);
    expect(r.code, r.err).toBe(0);
    if (V1) {
      expect(readFileSync(cgfile('memory', 'c-upd', 'memory.limit_in_bytes'), 'utf8').trim()).toBe(String(32 << 20));
      expect(readFileSync(cgfile('pids', 'c-upd', 'pids.max'), 'utf8').trim()).toBe('20');
    }
    // Raising the limit above the current swap limit needs the swap limit raised first.
    r = sb.rt(['update', '--memory', '128m', '--memory-swap', '256m', 'c-upd']);
    expect(r.code, r.err).toBe(0);
    if (V1) expect(readFileSync(cgfile('memory', 'c-upd', 'memory.limit_in_bytes'), 'utf8').trim()).toBe(String(128 << 20));
    r = sb.rt(['update', '--memory', 'lots', 'c-upd']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--memory lots: not a size/);
  });

  it('events --stats prints cpu, memory and pids statistics', () => {
    startDetached('c-stats', ['sh', '-c', 'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 1000']);
    const r = sb.rt(['events', '--stats', 'c-stats']);
    expect(r.code, r.err).toBe(0);
    const ev = JSON.parse(r.out);
    expect(ev).toMatchObject({ type: 'stats', id: 'c-stats' });
    expect(ev.data.memory.usage.limit).toBe(64 * 1024 * 1024);
    expect(ev.data.memory.usage.usage).toBeGreaterThan(0);
    expect(ev.data.pids).toEqual({ current: expect.any(Number), limit: 100 });
    expect(ev.data.pids.current).toBeGreaterThanOrEqual(1);
    expect(ev.data.cpu.usage.total).toBeGreaterThan(0);
  });

  it('events streams stats until the container stops, and reports OOM kills', async () => {
    const id = 'c-events';
    startDetached(id, ['sh', '-c', 'tail /dev/zero; sleep 1000'], (c) => {
      c.linux.resources.memory = { limit: 8 * 1024 * 1024, swap: 8 * 1024 * 1024 };
    });
    const child = spawn(RUNTIME, ['--root', sb.root, 'events', '--interval', '100ms', id], { stdio: ['ignore', 'pipe', 'pipe'] });
    sb.children.push(child);
    let out = '';
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    // tail keeps the (endless) last line of /dev/zero until the OOM killer ends it.
    await new Promise<void>((resolve) => child.stdout.on('data', (d) => { out += d; if (out.includes('"type":"oom"')) resolve(); }));
    expect(sb.rt(['kill', id, 'KILL']).code).toBe(0);
    expect(await exited).toBe(0); // the stream ends with the container
    const events = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(events[0].type).toBe('stats');
    expect(events.filter((e) => e.type === 'stats').length).toBeGreaterThanOrEqual(1);
    expect(events.find((e) => e.type === 'oom')).toEqual({ type: 'oom', id });
  });

  it('writes linux.resources.blockIO weight and throttles to the blkio controller, and update changes them', () => {
    const disk = readdirSync('/sys/block').find((d) => !/^(loop|ram|zram|nbd|dm-)/.test(d))!;
    const dev = readFileSync(`/sys/block/${disk}/dev`, 'utf8').trim();
    const [major, minor] = dev.split(':').map(Number);
    startDetached('c-blkio', ['sleep', '1000'], (c) => {
      c.linux.resources.blockIO = {
        weight: 300,
        throttleReadBpsDevice: [{ major, minor, rate: 1 << 20 }],
        throttleWriteIOPSDevice: [{ major, minor, rate: 100 }],
      };
    });
    if (V1) {
      const weightFile = existsSync(cgfile('blkio', 'c-blkio', 'blkio.weight')) ? 'blkio.weight' : 'blkio.bfq.weight';
      expect(readFileSync(cgfile('blkio', 'c-blkio', weightFile), 'utf8')).toMatch(/^(default )?300$/m);
      expect(readFileSync(cgfile('blkio', 'c-blkio', 'blkio.throttle.read_bps_device'), 'utf8').trim()).toBe(`${dev} ${1 << 20}`);
      expect(readFileSync(cgfile('blkio', 'c-blkio', 'blkio.throttle.write_iops_device'), 'utf8').trim()).toBe(`${dev} 100`);
    } else {
      expect(readFileSync(cgfile('io', 'c-blkio', 'io.max'), 'utf8')).toContain(`${dev} rbps=${1 << 20} wbps=max riops=max wiops=100`);
    }
    const res = join(sb.dir, 'blkio.json');
    writeFileSync(res, JSON.stringify({ blockIO: { weight: 700, throttleReadBpsDevice: [{ major, minor, rate: 0 }] } }));
    const r = sb.rt(['update', '-r', res, 'c-blkio']);
    expect(r.code, r.err).toBe(0);
    if (V1) {
      const weightFile = existsSync(cgfile('blkio', 'c-blkio', 'blkio.weight')) ? 'blkio.weight' : 'blkio.bfq.weight';
      expect(readFileSync(cgfile('blkio', 'c-blkio', weightFile), 'utf8')).toMatch(/^(default )?700$/m);
      expect(readFileSync(cgfile('blkio', 'c-blkio', 'blkio.throttle.read_bps_device'), 'utf8').trim()).toBe(''); // 0 lifts it
    }
  });

  it('enforces linux.resources.devices with the devices cgroup (Docker defaults)', () => {
    const script = 'head -c 3 /dev/zero | wc -c; echo x > /dev/null && echo null-ok; rm -f /tmp/kmsg; mknod /tmp/kmsg c 1 11 && echo mknod-ok; ' +
      '(: > /tmp/kmsg) 2>&1 | grep -o "Operation not permitted"; echo end';
    let r = sb.run('c-dev', ['sh', '-c', script], (c) => {
      c.linux.resources.devices = [{ allow: false, access: 'rwm' }];
    });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe('3\nnull-ok\nmknod-ok\nOperation not permitted\nend\n');
    if (V1) {
      // Without rules every device stays allowed.
      r = sb.run('c-nodev', ['sh', '-c', 'rm -f /tmp/kmsg; mknod /tmp/kmsg c 1 11 && (: > /tmp/kmsg) && echo opened'], (c) => { delete c.linux.resources.devices; });
      expect(r.code, r.err).toBe(0);
      expect(r.out).toBe('opened\n');
    }
  });

  it('runs on a pure cgroup v1 layout (cgroup2 unmounted in a private mount namespace)', () => {
    const v2 = cgroupMounts().find((m) => m.v2);
    const wrap = v2 ? ['unshare', '-m', '--propagation', 'private', 'sh', '-c', `umount ${v2.dir} && exec "$0" "$@"`] : [];
    const id = 'c-purev1';
    sb.ids.add(id);
    let r = sb.rt(['run', '-d', '--bundle', sb.bundle(id, ['sleep', '1000']), id], { wrap });
    expect(r.code, r.err).toBe(0);
    const paths: string[] = JSON.parse(readFileSync(join(sb.root, id, 'state.json'), 'utf8')).cgroupPaths;
    expect(paths.length).toBeGreaterThan(0);
    for (const p of paths) expect(p).not.toMatch(v2 ? new RegExp(`^${v2.dir}/`) : /^$/);
    if (V1) expect(readFileSync(cgfile('memory', id, 'memory.limit_in_bytes'), 'utf8').trim()).toBe(String(64 << 20));
    expect(sb.rt(['pause', id], { wrap }).code).toBe(0);
    if (V1) expect(readFileSync(cgfile('freezer', id, 'freezer.state'), 'utf8').trim()).toBe('FROZEN');
    expect(sb.rt(['delete', '--force', id], { wrap }).code).toBe(0);
    expect(leftovers(sb, id)).toEqual([]);
    // Without cgroup2, a controller no v1 hierarchy holds (hugetlb here) is refused, naming it.
    const hugetlbOnV1 = cgroupMounts().some((m) => !m.v2 && existsSync(join(m.dir, 'hugetlb.2MB.limit_in_bytes')));
    if (!hugetlbOnV1) {
      r = sb.rt(['run', '--bundle', sb.bundle('c-v1huge', ['true'], (c) => { c.linux.resources.hugepageLimits = [{ pageSize: '2MB', limit: 1 << 21 }]; }), 'c-v1huge'], { wrap });
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/hugepageLimits\[0\] \(2MB\) is set but the hugetlb controller is not available to the container's cgroup \(no hugetlb\.2MB\.limit_in_bytes here/);
      expect(leftovers(sb, 'c-v1huge')).toEqual([]);
    }
  });

  it('compiles device rules to a BPF program on a pure cgroup v2 host', () => {
    const id = 'c-bpf';
    sb.ids.add(id);
    const script = 'head -c 3 /dev/zero | wc -c; rm -f /tmp/kmsg /tmp/full; mknod /tmp/kmsg c 1 11 && echo mknod-ok; ' +
      '(: > /tmp/kmsg) 2>&1 | grep -o "Operation not permitted"; mknod /tmp/full c 1 7 && (: > /tmp/full) && echo allowed-by-rule';
    const bundle = sb.bundle(id, ['sh', '-c', script], (c) => {
      c.linux.resources = { devices: [{ allow: false, access: 'rwm' }] };
    });
    const pure = readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((l) => / \/sys\/fs\/cgroup .* - cgroup2 /.test(l));
    const cmd = `${pure ? '' : 'umount -l /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && '}` +
      `exec ${RUNTIME} --root ${sb.root} run --bundle ${bundle} ${id}`;
    const v2 = cgroupMounts().find((m) => m.v2)!.dir;
    const restore = subtreeControlRestorer([v2, join(v2, CGROUP_PARENT)]);
    const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', cmd], { encoding: 'utf8' });
    restore();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('3\nmknod-ok\nOperation not permitted\nallowed-by-rule\n');
  });
});
