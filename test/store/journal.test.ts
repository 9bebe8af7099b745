// The journal on a real LMDB environment: ordering, snapshots, and a
// JournaledActor writing every transition of a real machine.
import { describe, expect, it } from 'vitest';
import { Worker } from 'node:worker_threads';
import { fromPromise } from 'xstate';
import type { MetadataDb } from '../../src/store/db.js';
import { withTempMetadataDb } from '../fixtures/temp-metadata-db.js';
import { appendTransition, journalLength, readJournal } from '../../src/store/journal.js';
import { JournaledActor } from '../../src/actors/journaled-actor.js';
import { layerMachine } from '../../src/machines/layer.js';
import type { ActorEnv } from '../../src/actors/actor-env.js';

let dir: string;
let db: MetadataDb;
withTempMetadataDb('berth-journal-', (d, m) => {
  dir = d;
  db = m;
});

const entry = (actorId: string, n: number) => ({
  actorId,
  kind: 'container' as const,
  event: { type: `E${n}` },
  state: `s${n}`,
  context: { n },
  status: 'active',
  time: new Date(0).toISOString(),
});

describe('journal', () => {
  it('assigns consecutive sequence numbers and keeps the latest snapshot per actor', async () => {
    for (let i = 1; i <= 5; i++) {
      await appendTransition(db, entry('container/x', i), { record: { actorId: 'container/x', kind: 'container', snapshot: { i }, input: null } });
    }
    expect(journalLength(db)).toBe(5);
    expect(readJournal(db).map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(db.actors.get('container/x')?.snapshot).toEqual({ i: 5 });
    expect(db.actors.get('container/x')?.seq).toBe(5);
    await appendTransition(db, { ...entry('container/x', 6), status: 'done' }, { record: null });
    expect(db.actors.get('container/x')).toBeUndefined();
    expect(readJournal(db, { actorId: 'container/x' })).toHaveLength(6);
  });

  it('keeps sequence numbers unique when two threads append at once', async () => {
    const code = `
      const { workerData, parentPort } = require('node:worker_threads');
      import(workerData.url).then(async ({ openMetadataDb }) => {
        const { appendTransition } = await import(workerData.journalUrl);
        const db = openMetadataDb(workerData.dir);
        const ps = [];
        for (let i = 0; i < 100; i++) ps.push(appendTransition(db, { actorId: 'w', kind: 'layer', event: { type: 'E' }, state: 's', context: {}, status: 'active', time: '' }, { record: null }));
        await Promise.all(ps);
        await db.root.close();
        parentPort.postMessage('done');
      });`;
    // the worker loads the compiled modules (npm test builds first)
    const base = new URL('../../dist/src/store/', import.meta.url);
    const w = new Worker(code, { eval: true, workerData: { dir, url: new URL('db.js', base).href, journalUrl: new URL('journal.js', base).href } });
    const mine = Array.from({ length: 100 }, (_, i) => appendTransition(db, entry('main', i), { record: null }));
    await Promise.all([...mine, new Promise((r) => w.once('message', r))]);
    const seqs = readJournal(db).map((e) => e.seq);
    expect(seqs).toHaveLength(200);
    expect(new Set(seqs).size).toBe(200);
    expect(journalLength(db)).toBe(200);
  });
});

describe('JournaledActor', () => {
  it('journals every transition of its machine in order, then drops the final actor record', async () => {
    const finished: string[] = [];
    const env = { db, noteState: () => {}, finished: (id: string) => finished.push(id) } as unknown as ActorEnv;
    const m = layerMachine.provide({
      actors: {
        checkLayer: fromPromise(async () => ({ present: false, size: null })),
        prepareTransfer: fromPromise(async () => ({ ingestPath: null })),
        downloadBlob: fromPromise(async () => {}),
        unpackLayer: fromPromise(async () => ({ size: 3 })),
        finishTransfer: fromPromise(async () => {}),
        commitLayer: fromPromise(async () => {}),
      },
    });
    const input = { chainId: 'sha256:c', diffId: 'sha256:d', blobDigest: 'sha256:b', blobSize: 1, mediaType: 'x', sourceRef: null };
    const a = new JournaledActor(env, 'layer/c', 'layer', m, input).start();
    await a.until((s) => s.status === 'done');
    // transferring is a parallel state (download ∥ unpack): journaled as { transferring: { blob, tree } }
    const states = readJournal(db, { actorId: 'layer/c' }).map((e) => (typeof e.state === 'string' ? e.state : Object.keys(e.state as object)[0]));
    expect(states.filter((x, i) => x !== states[i - 1])).toEqual(['checking', 'preparing', 'transferring', 'finishing', 'committing', 'present']);
    expect(readJournal(db)[0].event.type).toBe('xstate.init');
    expect(db.actors.get('layer/c')).toBeUndefined();
    expect(finished).toEqual(['layer/c']);
  });
});
