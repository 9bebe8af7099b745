// The daemon rebuilds itself from the journal (issue 8): a graceful restart
// keeps every container, a lost checkpoint is rebuilt by replaying the
// journal, and `berth debug journal` / `debug replay` export and check it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { inspectContainer, loadBusybox, ok } from '../fixtures/e2e-helpers.js';
import { openMetadataDb } from '../../src/store/db.js';

let d: TestDaemon;

beforeAll(async () => {
  d = await startDaemon();
  loadBusybox(d);
});

afterAll(async () => {
  await d?.stop();
});

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('recovery from the journal', () => {
  it('a graceful daemon restart (SIGTERM) keeps running and exited containers', async () => {
    ok(d.berth(['run', '-d', '--name', 'term-running', 'busybox', 'sleep', '300']));
    d.berth(['run', '--name', 'term-exited', 'busybox', 'sh', '-c', 'exit 4']);
    const pid = inspectContainer(d, 'term-running').State.Pid as number;
    await d.kill('SIGTERM');
    await d.restart();
    expect(inspectContainer(d, 'term-running').State).toMatchObject({ Status: 'running', Pid: pid });
    expect(inspectContainer(d, 'term-exited').State).toMatchObject({ Status: 'exited', ExitCode: 4 });
    ok(d.berth(['rm', '-f', 'term-running', 'term-exited']));
  });

  it('a container whose checkpoint was lost is rebuilt from its journal entries and still works', async () => {
    const id = ok(d.berth(['run', '-d', '--name', 'lost-record', 'busybox', 'sleep', '300'])).trim();
    const pid = inspectContainer(d, 'lost-record').State.Pid as number;
    await d.kill('SIGKILL');
    // Fault injection: the actors table (the journal's checkpoint) loses the record.
    const db = openMetadataDb(d.root);
    await db.actors.remove(`container/${id}`);
    await db.meta.remove('recovery.checkedSeq');
    await db.root.close();
    await d.restart();
    expect(d.log()).toContain(`recovery: container/${id}: rebuilt`);
    expect(inspectContainer(d, 'lost-record').State).toMatchObject({ Status: 'running', Pid: pid });
    expect(ok(d.berth(['exec', 'lost-record', 'echo', 'still here']))).toBe('still here\n');
    ok(d.berth(['stop', '-t', '1', 'lost-record']));
    expect(processAlive(pid)).toBe(false);
    expect(inspectContainer(d, 'lost-record').State.Status).toBe('exited');
    ok(d.berth(['rm', 'lost-record']));
  });

  it('a checkpoint the journal says is over is dropped, not resurrected', async () => {
    const id = ok(d.berth(['create', '--name', 'ghost', 'busybox', 'true'])).trim();
    await d.kill('SIGKILL');
    const db = openMetadataDb(d.root);
    const record = db.actors.get(`container/${id}`)!;
    await db.actors.remove(`container/${id}`);
    await db.root.close();
    await d.restart();
    ok(d.berth(['rm', 'ghost']));
    await d.kill('SIGKILL');
    // Fault injection: a stale checkpoint of the removed container comes back.
    const db2 = openMetadataDb(d.root);
    await db2.actors.put(`container/${id}`, record);
    await db2.meta.remove('recovery.checkedSeq');
    await db2.root.close();
    await d.restart();
    expect(d.log()).toContain(`recovery: container/${id}: dropped`);
    expect(d.berth(['inspect', 'ghost']).code).not.toBe(0);
  });
});

describe('berth debug journal / debug replay', () => {
  it('exports the journal and replays it step for step', () => {
    ok(d.berth(['run', '--name', 'replayed', 'busybox', 'true']));
    const file = join(d.dir, 'journal.json');
    ok(d.berth(['debug', 'journal', '-o', file]));
    const log = JSON.parse(readFileSync(file, 'utf8'));
    expect(log.format).toBe('berth.journal');
    expect(log.entries.length).toBeGreaterThan(10);
    const out = ok(d.berth(['debug', 'replay', file]));
    expect(out).toMatch(/^ACTOR\s+KIND\s+STEPS\s+STATE\s+STATUS\s+REPLAY/);
    expect(out).not.toContain('mismatch');
    expect(out.trim().split('\n').length - 1).toBe(new Set(log.entries.map((e: { actorId: string }) => e.actorId)).size);
  });

  it('slices one container by name, and msgpack replays from standard input', () => {
    const sliced = ok(d.berth(['debug', 'journal', '--actor', 'replayed', '--format', 'msgpack', '-o', join(d.dir, 'one.mp')]));
    expect(sliced).toBe('');
    const out = ok(d.berth(['debug', 'replay', '-'], { input: readFileSync(join(d.dir, 'one.mp')) }));
    const rows = out.trim().split('\n').slice(1);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/^container\/\w+\s+container\s+\d+\s+exited\s+active\s+ok$/);
  });

  it('a tampered log fails replay with the entry that lies, and exit status 1', () => {
    const file = join(d.dir, 'tampered.json');
    ok(d.berth(['debug', 'journal', '--actor', 'replayed', '-o', file]));
    const log = JSON.parse(readFileSync(file, 'utf8'));
    const start = log.entries.find((e: { event: { type: string } }) => e.event.type === 'START');
    start.state = 'paused';
    writeFileSync(file, JSON.stringify(log));
    const r = d.berth(['debug', 'replay', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`entry ${start.seq} (START): state`);
  });

  it('bad input gets clear errors', () => {
    const notLog = join(d.dir, 'not-a-log.json');
    writeFileSync(notLog, '{"hello": 1}');
    expect(d.berth(['debug', 'replay', notLog]).stderr).toContain('not a Berth event log');
    expect(d.berth(['debug', 'replay', join(d.dir, 'missing.json')]).stderr).toContain('cannot read event log');
    expect(d.berth(['debug', 'journal', '--format', 'yaml']).stderr).toContain('unknown --format "yaml"');
    expect(d.berth(['debug', 'journal', '--since', 'yesterday']).code).not.toBe(0);
    ok(d.berth(['version']));
  });
});
