// A container's creation commit: its name is claimed in it (of several
// creations racing for one name exactly one wins, the others get Docker's
// conflict and leave nothing behind; a removed container's name is free
// again), and a bundle written before it whose commit a crash cut short is
// removed at the next start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { loadBusybox, ok } from '../fixtures/e2e-helpers.js';
import { connect } from '../../cli/client.js';

let daemon: TestDaemon;

beforeAll(async () => {
  daemon = await startDaemon();
  loadBusybox(daemon);
});

afterAll(async () => {
  await daemon?.stop();
});

describe('container names', () => {
  it('gives a name raced for by concurrent creations to exactly one of them', async () => {
    const client = await connect(`unix://${daemon.socket}`);
    try {
      // sent together on one connection: every request finds the name free
      // before any creation commits, so the commit decides
      const results = await Promise.allSettled(
        Array.from({ length: 6 }, () => client.call('container.create', { image: 'busybox', cmd: ['true'], name: 'race' })),
      );
      const won = results.filter((r): r is PromiseFulfilledResult<{ id: string }> => r.status === 'fulfilled');
      const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(5);
      for (const r of lost) expect((r.reason as Error).message).toMatch(/The container name "\/race" is already in use by container "[0-9a-f]{64}"/);

      const listed = ok(daemon.berth(['ps', '-a', '--no-trunc', '--format', '{{.ID}} {{.Names}}'])).trim().split('\n').filter((l) => l.endsWith(' race'));
      expect(listed).toEqual([`${won[0].value.id} race`]);
      // the refused creations left no container directory behind
      const dir = join(daemon.root, 'containers');
      expect((existsSync(dir) ? readdirSync(dir) : []).filter((d) => d !== won[0].value.id)).toEqual([]);
    } finally {
      client.close();
    }
    ok(daemon.berth(['rm', 'race']));
  });

  it('frees the name of a container removed by run --rm before the reply', () => {
    ok(daemon.berth(['run', '--rm', '--name', 'again', 'busybox', 'true']));
    ok(daemon.berth(['run', '--rm', '--name', 'again', 'busybox', 'true']));
    const r = daemon.berth(['ps', '-a', '--filter', 'name=again', '--format', '{{.Names}}']);
    expect(ok(r).trim()).toBe('');
  });

  it('generates distinct free names for unnamed containers created together', async () => {
    const client = await connect(`unix://${daemon.socket}`);
    try {
      const created = await Promise.all(Array.from({ length: 5 }, () => client.call('container.create', { image: 'busybox', cmd: ['true'] })));
      const names = created.map((c) => ok(daemon.berth(['inspect', '--format', '{{.Name}}', c.id])).trim());
      expect(new Set(names).size).toBe(5);
      for (const n of names) expect(n).toMatch(/^\/[a-z]+_[a-z]+\d+$/);
      ok(daemon.berth(['rm', ...created.map((c) => c.id)]));
    } finally {
      client.close();
    }
  });
});

describe('creation cut short', () => {
  it('removes at start a container directory the journal does not know, and keeps the others', async () => {
    const kept = ok(daemon.berth(['create', 'busybox', 'true'])).trim();
    const orphan = 'f'.repeat(64);
    const dir = join(daemon.root, 'containers', orphan);
    mkdirSync(join(dir, 'rootfs'), { recursive: true });
    writeFileSync(join(dir, 'config.json'), '{}');
    await daemon.restart();
    expect(existsSync(dir)).toBe(false);
    expect(daemon.log()).toMatch(/removing ROOT\/containers\/ffffffffffff: the journal has no such container/);
    expect(ok(daemon.berth(['ps', '-a', '--no-trunc', '--format', '{{.ID}}']))).toContain(kept);
    ok(daemon.berth(['start', kept]));
    ok(daemon.berth(['rm', '-f', kept]));
  });
});
