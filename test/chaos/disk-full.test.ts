// Disk full (issue 8): the daemon's root fills up while a container logs.
// Operations fail with a clear error instead of hanging or crashing, the log
// keeps only whole records (a write cut short is dropped whole), and once
// space is freed everything works again with nothing acknowledged lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { inspectContainer, loadBusybox, ok } from '../fixtures/e2e-helpers.js';

let d: TestDaemon;

beforeAll(async () => {
  d = await startDaemon([], { rootTmpfsMiB: 48 });
  loadBusybox(d);
});

afterAll(async () => {
  await d?.stop();
});

const LINE = /^line-\d+-x{40}$/;

describe('a full disk', () => {
  it('fails operations clearly, keeps logs whole, and recovers when space is freed', async () => {
    ok(d.berth(['run', '-d', '--name', 'talker', 'busybox', 'sh', '-c', 'i=0; while :; do echo "line-$i-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"; i=$((i+1)); usleep 300; done']));
    ok(d.berth(['run', '-d', '--name', 'keeper', 'busybox', 'sleep', '600']));
    // fill what is left of the root
    const fill = d.berth(['run', '--name', 'filler', 'busybox', 'dd', 'if=/dev/zero', 'of=/fill', 'bs=1M', 'count=100']);
    expect(fill.code).not.toBe(0);
    expect(fill.stderr).toMatch(/No space left on device/);
    await sleep(1000); // the talker's log writes fail meanwhile

    const refused = d.berth(['run', '--name', 'too-much', 'busybox', 'true']);
    if (refused.code !== 0) {
      expect(refused.stderr).toMatch(/no space left on device|the disk may be full/i);
      expect(refused.stderr).not.toMatch(/\n\s+at /);
    }
    expect(d.proc.exitCode).toBeNull();
    expect(inspectContainer(d, 'keeper').State.Status).toBe('running');

    // Free the space. The removal's first journal entry may not fit: then
    // that attempt fails clearly (having deleted the files) and a retry,
    // with room again, records it.
    const first = d.berth(['rm', '-f', 'filler']);
    if (first.code !== 0) {
      expect(first.stderr).toMatch(/the disk may be full/);
      ok(d.berth(['rm', '-f', 'filler']));
    }
    d.berth(['rm', '-f', 'too-much']);
    await sleep(1000);
    ok(d.berth(['stop', '-t', '1', 'talker']));
    const lines = ok(d.berth(['logs', 'talker'])).split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(200);
    // Output written while the disk was full is lost, so a line may be cut
    // where a record could not be written; but no record is ever half
    // written, so nothing is garbled: every byte is the talker's.
    const garbled = lines.filter((l) => !/^[a-z0-9-]+$/.test(l));
    expect(garbled.slice(0, 3), `${garbled.length} garbled log lines`).toEqual([]);
    const cut = lines.filter((l) => !LINE.test(l));
    expect(cut.length, `lines cut by the full disk: ${cut.slice(0, 5).join(', ')}`).toBeLessThan(lines.length / 100);
    // logging went on, readable, after the disk had room again
    const lastCut = lines.lastIndexOf(cut.at(-1) ?? lines[0]);
    expect(lines.slice(lastCut + 1).filter((l) => LINE.test(l)).length).toBeGreaterThan(50);

    expect(ok(d.berth(['run', '--rm', 'busybox', 'echo', 'room again']))).toBe('room again\n');
    expect(inspectContainer(d, 'keeper').State.Status).toBe('running');
    ok(d.berth(['rm', '-f', 'talker', 'keeper']));
  });
});
