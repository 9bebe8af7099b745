// The daemon's max-concurrent-downloads limits a pull's layer transfers: with
// a limit of 1, no layer's transfer starts before the previous one's bytes
// are all in (the journal's transition times show it). A layer's commit — a
// filesystem flush, then its record — does not hold the slot.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { startRegistry, type TestRegistry } from '../fixtures/registry.js';
import { pushLayeredImage } from '../registry/layered-image.js';

let registry: TestRegistry;
let daemon: TestDaemon;
let cfgDir: string;

beforeAll(async () => {
  registry = await startRegistry();
  cfgDir = mkdtempSync(join(tmpdir(), 'berth-limit-'));
  const cfg = join(cfgDir, 'daemon.json');
  writeFileSync(cfg, JSON.stringify({ 'max-concurrent-downloads': 1 }));
  daemon = await startDaemon(['--config-file', cfg]);
});

afterAll(async () => {
  await daemon?.stop();
  await registry?.stop();
  if (cfgDir) rmSync(cfgDir, { recursive: true, force: true });
});

interface Entry { actorId: string; kind: string; state: unknown; time: string }

describe('max-concurrent-downloads', () => {
  it('with 1, each layer transfer starts only after the previous one is transferred', async () => {
    const layers = [0, 1, 2, 3].map((i) => ({ files: [{ name: `data/f${i}`, size: 700_000, seed: 900 + i }] }));
    await pushLayeredImage(registry.host, 'limited', layers);
    const ref = `${registry.host}/limited:latest`;
    const pulled = daemon.berth(['pull', '-q', ref]);
    expect(pulled.stderr).toBe('');
    expect(pulled.code).toBe(0);

    const file = join(daemon.dir, 'journal.json');
    expect(daemon.berth(['debug', 'journal', '-o', file]).code).toBe(0);
    const { entries } = JSON.parse(readFileSync(file, 'utf8')) as { entries: Entry[] };
    const byLayer = new Map<string, Entry[]>();
    for (const e of entries.filter((x) => x.kind === 'layer')) byLayer.set(e.actorId, [...(byLayer.get(e.actorId) ?? []), e]);
    expect(byLayer.size).toBe(5); // busybox and the four above
    // each layer: from its first transition to the one that leaves 'transferring'
    const spans = [...byLayer.values()].map((es) => {
      const end = es.find((e) => e.state === 'finishing');
      expect(end, `layer ${es[0]!.actorId} left 'transferring'`).toBeDefined();
      expect(es.at(-1)!.state).toBe('present');
      return { start: Date.parse(es[0]!.time), end: Date.parse(end!.time), id: es[0]!.actorId };
    }).sort((a, b) => a.start - b.start);
    for (let i = 1; i < spans.length; i++) {
      expect(spans[i]!.start, `${spans[i]!.id} started while ${spans[i - 1]!.id} was transferring`).toBeGreaterThanOrEqual(spans[i - 1]!.end);
    }
    expect(daemon.berth(['run', '--rm', '--network', 'none', ref, 'sh', '-c', 'wc -c /data/f3']).stdout).toMatch(/^\s*700000 \/data\/f3/);
  });
});
