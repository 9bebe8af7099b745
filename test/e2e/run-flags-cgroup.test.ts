// --cpuset-mems end to end: the value reaches the runtime's spec
// (linux.resources.cpu.mems) and the container's cpuset cgroup (v1 or v2
// cpuset.mems), inspect shows CpusetMems, and a node the host lacks or a
// malformed list fails with 125.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { inspectContainer, loadBusybox, ok } from '../fixtures/e2e-helpers.js';
import { cgroupPathsOf } from '../../src/runtime/cgroup-files.js';

let daemon: TestDaemon;
const image = 'busybox:latest';

beforeAll(async () => {
  daemon = await startDaemon();
  loadBusybox(daemon);
});

afterAll(async () => {
  await daemon?.stop();
});

describe('--cpuset-mems', () => {
  it('pins the container to memory node 0 and shows CpusetMems in inspect', async () => {
    const id = ok(daemon.berth(['run', '-d', '--name', 'mems', '--cpuset-mems', '0', image, 'sleep', '300'])).trim();
    const spec = JSON.parse(readFileSync(join(daemon.root, 'containers', id, 'config.json'), 'utf8'));
    expect(spec.linux.resources.cpu.mems).toBe('0');
    const pid = inspectContainer(daemon, 'mems').State.Pid as number;
    const cg = await cgroupPathsOf(pid);
    const v1 = cg.v1.get('cpuset');
    const file = v1 && existsSync(join(v1, 'cpuset.mems')) ? join(v1, 'cpuset.mems') : join(cg.v2 ?? '/nonexistent', 'cpuset.mems');
    expect(readFileSync(file, 'utf8').trim()).toBe('0');
    expect(inspectContainer(daemon, 'mems').HostConfig.CpusetMems).toBe('0');
    ok(daemon.berth(['rm', '-f', 'mems']));
  });

  it('refuses a memory node the host does not have, with exit 125, and the daemon stays up', () => {
    const r = daemon.berth(['run', '--rm', '--cpuset-mems', '0-63', image, 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/Requested memory nodes are not available - requested 0-63/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const malformed = daemon.berth(['run', '--rm', '--cpuset-mems', 'abc', image, 'true']);
    expect(malformed.code).toBe(125);
    expect(malformed.stderr).toMatch(/invalid value abc for cpuset mems: use a list like 0-2,4/);
    expect(daemon.berth(['version']).code).toBe(0);
  });
});
