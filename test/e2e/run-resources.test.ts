// run/create's resource flags end to end: the CLI's flags reach the kernel
// (the container's cgroup files and /proc/PID/limits), inspect shows them
// under Docker's HostConfig names, and bad values fail with exit 125 and a
// clear message while the daemon stays healthy.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { inspectContainer, loadBusybox, ok } from '../fixtures/e2e-helpers.js';
import { cgroupPathsOf, type CgroupPaths } from '../../src/runtime/cgroup-files.js';

let daemon: TestDaemon;
const image = 'busybox:latest';

beforeAll(async () => {
  daemon = await startDaemon();
  loadBusybox(daemon);
});

afterAll(async () => {
  await daemon?.stop();
});

/** The first of `v1 controller file` / `v2 file` that exists for the container. */
function cgroupFile(p: CgroupPaths, controller: string, v1File: string, v2File: string): string {
  const v1 = p.v1.get(controller);
  if (v1 && existsSync(join(v1, v1File))) return readFileSync(join(v1, v1File), 'utf8').trim();
  if (p.v2 && existsSync(join(p.v2, v2File))) return readFileSync(join(p.v2, v2File), 'utf8').trim();
  throw new Error(`neither ${controller}/${v1File} nor ${v2File} exists for the container (${JSON.stringify([...p.v1])}, ${p.v2})`);
}

async function runDetached(name: string, flags: string[]): Promise<{ pid: number; cg: CgroupPaths }> {
  ok(daemon.berth(['run', '-d', '--name', name, ...flags, image, 'sleep', '300']));
  const pid = inspectContainer(daemon, name).State.Pid as number;
  expect(pid).toBeGreaterThan(0);
  return { pid, cg: await cgroupPathsOf(pid) };
}

function expectUsageError(args: string[], message: RegExp): void {
  const r = daemon.berth(['run', '--rm', ...args, image, 'true']);
  expect(r.code).toBe(125);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(daemon.berth(['version']).code).toBe(0);
}

describe('resource limits reach the kernel', () => {
  it('applies -m, --memory-swap, --memory-reservation and shows them in inspect', async () => {
    const { cg } = await runDetached('mem', ['-m', '64m', '--memory-swap', '128m', '--memory-reservation', '32m']);
    expect(Number(cgroupFile(cg, 'memory', 'memory.limit_in_bytes', 'memory.max'))).toBe(64 * 1024 * 1024);
    expect(Number(cgroupFile(cg, 'memory', 'memory.soft_limit_in_bytes', 'memory.low'))).toBe(32 * 1024 * 1024);
    const hc = inspectContainer(daemon, 'mem').HostConfig;
    expect(hc).toMatchObject({ Memory: 67108864, MemorySwap: 134217728, MemoryReservation: 33554432 });
    ok(daemon.berth(['rm', '-f', 'mem']));
  });

  it('turns --cpus into a CFS quota over a 100ms period, and applies --cpu-shares and --pids-limit', async () => {
    const { cg } = await runDetached('cpu', ['--cpus', '0.5', '--cpu-shares', '512', '--pids-limit', '42']);
    const v1Quota = cg.v1.get('cpu') && existsSync(join(cg.v1.get('cpu')!, 'cpu.cfs_quota_us'));
    if (v1Quota) {
      expect(cgroupFile(cg, 'cpu', 'cpu.cfs_quota_us', 'cpu.max')).toBe('50000');
      expect(cgroupFile(cg, 'cpu', 'cpu.cfs_period_us', 'cpu.max')).toBe('100000');
      expect(cgroupFile(cg, 'cpu', 'cpu.shares', 'cpu.weight')).toBe('512');
    } else {
      expect(cgroupFile(cg, 'cpu', 'cpu.cfs_quota_us', 'cpu.max')).toBe('50000 100000');
    }
    expect(cgroupFile(cg, 'pids', 'pids.max', 'pids.max')).toBe('42');
    const hc = inspectContainer(daemon, 'cpu').HostConfig;
    expect(hc).toMatchObject({ NanoCpus: 500000000, CpuShares: 512, PidsLimit: 42 });
    ok(daemon.berth(['rm', '-f', 'cpu']));
  });

  it('pins the container to --cpuset-cpus', async () => {
    const { pid, cg } = await runDetached('cpuset', ['--cpuset-cpus', '0']);
    expect(cgroupFile(cg, 'cpuset', 'cpuset.cpus', 'cpuset.cpus')).toBe('0');
    expect(readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/^Cpus_allowed_list:\s+0$/m);
    expect(inspectContainer(daemon, 'cpuset').HostConfig.CpusetCpus).toBe('0');
    ok(daemon.berth(['rm', '-f', 'cpuset']));
  });

  it('pins the container to memory node 0 with --cpuset-mems and shows CpusetMems in inspect', async () => {
    const { cg } = await runDetached('mems', ['--cpuset-mems', '0']);
    const id = inspectContainer(daemon, 'mems').Id as string;
    // a one-node host cannot tell the flag from the default in the cgroup: the runtime's spec must carry it
    const spec = JSON.parse(readFileSync(join(daemon.root, 'containers', id, 'config.json'), 'utf8'));
    expect(spec.linux.resources.cpu.mems).toBe('0');
    expect(cgroupFile(cg, 'cpuset', 'cpuset.mems', 'cpuset.mems')).toBe('0');
    expect(inspectContainer(daemon, 'mems').HostConfig.CpusetMems).toBe('0');
    ok(daemon.berth(['rm', '-f', 'mems']));
  });

  it('sets --ulimit soft and hard limits and --oom-score-adj', async () => {
    const { pid } = await runDetached('limits', ['--ulimit', 'nofile=512:1024', '--ulimit', 'nproc=300', '--oom-score-adj', '200']);
    const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
    expect(limits).toMatch(/^Max open files\s+512\s+1024\s+files/m);
    expect(limits).toMatch(/^Max processes\s+300\s+300\s+processes/m);
    expect(readFileSync(`/proc/${pid}/oom_score_adj`, 'utf8').trim()).toBe('200');
    const hc = inspectContainer(daemon, 'limits').HostConfig;
    expect(hc.Ulimits).toEqual([{ Name: 'nofile', Soft: 512, Hard: 1024 }, { Name: 'nproc', Soft: 300, Hard: 300 }]);
    expect(hc.OomScoreAdj).toBe(200);
    ok(daemon.berth(['rm', '-f', 'limits']));
  });

  it('fails clearly when a hard ulimit is above what this host may grant', () => {
    const hostHard = /^Max open files\s+\S+\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))![1];
    const r = daemon.berth(['run', '--rm', '--ulimit', `nofile=1024:${Number(hostHard) + 1}`, image, 'true']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/RLIMIT_NOFILE|hard limit/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('kills a container over its memory limit: exit 137 and State.OOMKilled', () => {
    const r = daemon.berth(['run', '--name', 'oom', '-m', '8m', '--memory-swap', '8m', image, 'sh', '-c', 'x=a; while true; do x="$x$x"; done']);
    expect(r.code).toBe(137);
    const state = inspectContainer(daemon, 'oom').State;
    expect(state).toMatchObject({ ExitCode: 137, OOMKilled: true });
    ok(daemon.berth(['rm', 'oom']));
  });
});

describe('berth update', () => {
  it('changes limits of a running container, persists them across a daemon restart and a container restart', async () => {
    await runDetached('upd', ['-m', '64m', '--pids-limit', '20']);
    expect(ok(daemon.berth(['update', '-m', '128m', '--memory-swap', '256m', '--cpus', '1', '--cpu-shares', '256', '--pids-limit', '50', '--restart', 'always', 'upd']))).toBe('upd\n');
    let { cg } = { cg: await cgroupPathsOf(inspectContainer(daemon, 'upd').State.Pid) };
    expect(Number(cgroupFile(cg, 'memory', 'memory.limit_in_bytes', 'memory.max'))).toBe(128 * 1024 * 1024);
    expect(cgroupFile(cg, 'pids', 'pids.max', 'pids.max')).toBe('50');
    expect(cgroupFile(cg, 'cpu', 'cpu.shares', 'cpu.weight')).toBe('256');
    const want = { Memory: 134217728, MemorySwap: 268435456, NanoCpus: 1e9, CpuShares: 256, PidsLimit: 50, RestartPolicy: { Name: 'always', MaximumRetryCount: 0 } };
    expect(inspectContainer(daemon, 'upd').HostConfig).toMatchObject(want);
    await daemon.restart();
    expect(inspectContainer(daemon, 'upd').HostConfig).toMatchObject(want);
    ok(daemon.berth(['restart', '-t', '1', 'upd']));
    cg = await cgroupPathsOf(inspectContainer(daemon, 'upd').State.Pid);
    expect(Number(cgroupFile(cg, 'memory', 'memory.limit_in_bytes', 'memory.max'))).toBe(128 * 1024 * 1024);
    expect(cgroupFile(cg, 'pids', 'pids.max', 'pids.max')).toBe('50');
    ok(daemon.berth(['rm', '-f', 'upd']));
  });

  it('updates a stopped container for its next start', async () => {
    ok(daemon.berth(['create', '--name', 'upd-stopped', image, 'sleep', '300']));
    ok(daemon.berth(['update', '--pids-limit', '33', 'upd-stopped']));
    ok(daemon.berth(['start', 'upd-stopped']));
    const cg = await cgroupPathsOf(inspectContainer(daemon, 'upd-stopped').State.Pid);
    expect(cgroupFile(cg, 'pids', 'pids.max', 'pids.max')).toBe('33');
    ok(daemon.berth(['rm', '-f', 'upd-stopped']));
  });

  it('reports an unknown container, a missing flag and a bad value', () => {
    const r = daemon.berth(['update', '--cpus', '1', 'no-such-box']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No such container: no-such-box/);
    const none = daemon.berth(['update', 'no-such-box']);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/you must provide one or more flags/);
    const bad = daemon.berth(['update', '-m', '2m', 'no-such-box']);
    expect(bad.stderr).toMatch(/Minimum memory limit allowed is 6MB/);
    expect(daemon.berth(['version']).code).toBe(0);
  });
});

describe('bad resource values', () => {
  it('rejects bad sizes', () => expectUsageError(['-m', '12zb'], /invalid argument "12zb" for "-m, --memory" flag: invalid size/));
  it('rejects a memory limit under 6MB', () => expectUsageError(['-m', '4m'], /Minimum memory limit allowed is 6MB/));
  it('rejects --memory-swap below --memory', () => expectUsageError(['-m', '64m', '--memory-swap', '32m'], /memoryswap limit should be larger than memory limit/));
  it('rejects --memory-swap without --memory', () => expectUsageError(['--memory-swap', '32m'], /always set the Memory limit when using Memoryswap/));
  it('rejects a bad --cpus', () => expectUsageError(['--cpus', 'lots'], /invalid argument "lots" for "--cpus" flag/));
  it('rejects --cpus with --cpu-quota', () => expectUsageError(['--cpus', '1', '--cpu-quota', '50000'], /Conflicting options: Nano CPUs and CPU Period/));
  it('rejects CPUs this host does not have', () => {
    const n = availableParallelism();
    expectUsageError(['--cpuset-cpus', `0-${n}`], new RegExp(`Requested CPUs are not available - requested 0-${n}, available: 0-${n - 1}`));
  });
  it('rejects memory nodes this host does not have', () => expectUsageError(['--cpuset-mems', '0-63'], /Requested memory nodes are not available - requested 0-63/));
  it('rejects a malformed --cpuset-mems', () => expectUsageError(['--cpuset-mems', 'abc'], /invalid value abc for cpuset mems: use a list like 0-2,4/));
  it('rejects a malformed --ulimit', () => expectUsageError(['--ulimit', 'nofile'], /invalid ulimit argument: nofile/));
  it('rejects an unknown --ulimit name', () => expectUsageError(['--ulimit', 'bogus=1'], /invalid ulimit type: bogus/));
  it('rejects a soft ulimit above the hard one', () => expectUsageError(['--ulimit', 'nofile=2048:1024'], /soft limit must be less than or equal to hard limit/));
});
