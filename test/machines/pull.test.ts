// Transitions of the pull and layer machines, with effects supplied by the test.
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, fromPromise, SimulatedClock, waitFor } from 'xstate';
import { pullMachine, type PullEvent, type ResolvedImage } from '../../src/machines/pull.js';
import { BLOB_HOLD_MS, isStoringBlob, layerMachine, type LayerInput } from '../../src/machines/layer.js';
import { BerthError } from '../../src/errors.js';

const resolved: ResolvedImage = {
  manifestDigest: 'sha256:m',
  configDigest: 'sha256:c',
  config: { Cmd: ['sh'] },
  created: null,
  layers: [
    { blobDigest: 'sha256:b1', blobSize: 1, mediaType: 'gz', diffId: 'sha256:d1', chainId: 'sha256:c1', done: false },
    { blobDigest: 'sha256:b2', blobSize: 1, mediaType: 'gz', diffId: 'sha256:d2', chainId: 'sha256:c2', done: false },
  ],
};

describe('pull machine', () => {
  it('resolving → fetching (layer by layer) → committing → done', async () => {
    let committed = false;
    const m = pullMachine.provide({
      actors: {
        resolveImage: fromPromise(async () => resolved),
        fetchLayers: fromCallback<PullEvent>(({ sendBack }) => {
          sendBack({ type: 'LAYER_DONE', chainId: 'sha256:c2' });
          sendBack({ type: 'LAYER_DONE', chainId: 'sha256:c1' });
          sendBack({ type: 'LAYERS_READY' });
        }),
        commitImage: fromPromise(async () => { committed = true; }),
      },
    });
    const a = createActor(m, { input: { ref: 'r', source: 'registry', tag: true } }).start();
    const s = await waitFor(a, (s) => s.status === 'done');
    expect(s.value).toBe('done');
    expect(committed).toBe(true);
    expect(s.context.image?.layers.every((l) => l.done)).toBe(true);
  });

  it('fails with the error of a layer and never commits', async () => {
    let committed = false;
    const m = pullMachine.provide({
      actors: {
        resolveImage: fromPromise(async () => resolved),
        fetchLayers: fromCallback<PullEvent>(({ sendBack }) => {
          sendBack({ type: 'LAYERS_FAILED', error: { code: 'digest_mismatch', message: 'bad' } });
        }),
        commitImage: fromPromise(async () => { committed = true; }),
      },
    });
    const a = createActor(m, { input: { ref: 'r', source: 'registry', tag: true } }).start();
    const s = await waitFor(a, (s) => s.status === 'done');
    expect(s.value).toBe('failed');
    expect(s.context.error).toEqual({ code: 'digest_mismatch', message: 'bad' });
    expect(committed).toBe(false);
  });

  it('fails when the reference cannot be resolved', async () => {
    const m = pullMachine.provide({
      actors: { resolveImage: fromPromise(async () => { throw new BerthError('registry_error', 'manifest unknown'); }) },
    });
    const a = createActor(m, { input: { ref: 'r', source: 'registry', tag: true } }).start();
    const s = await waitFor(a, (s) => s.status === 'done');
    expect(s.value).toBe('failed');
    expect(s.context.error?.code).toBe('registry_error');
  });
});

const layerInput: LayerInput = { chainId: 'sha256:c', diffId: 'sha256:d', blobDigest: 'sha256:b', blobSize: 1, mediaType: 'gz', sourceRef: 'r' };

function layerEffects(over: Record<string, unknown>, seen: string[] = []) {
  return layerMachine.provide({
    delays: { retryDelay: 0 },
    actors: {
      checkLayer: fromPromise(async () => ({ present: false, size: null })),
      prepareTransfer: fromPromise(async () => { seen.push('prepare'); return { ingestPath: '/ingest' }; }),
      downloadBlob: fromPromise(async () => { seen.push('download'); }),
      unpackLayer: fromPromise(async () => { seen.push('unpack'); return { size: 5 }; }),
      finishTransfer: fromPromise(async () => { seen.push('finish'); }),
      commitLayer: fromPromise(async () => { seen.push('commit'); return { blobHeld: false }; }),
      storeBlob: fromPromise(async () => { seen.push('store'); }),
      ...over,
    } as never,
  });
}

describe('layer machine', () => {
  it('an already present layer goes straight to present', async () => {
    const m = layerMachine.provide({ actors: { checkLayer: fromPromise(async () => ({ present: true, size: 10 })) } });
    const s = await waitFor(createActor(m, { input: layerInput }).start(), (s) => s.status === 'done');
    expect(s.value).toBe('present');
    expect(s.context.size).toBe(10);
  });

  it('checking → preparing → transferring (download ∥ unpack) → finishing → committing → present', async () => {
    const seen: string[] = [];
    const a = createActor(layerEffects({}, seen), { input: layerInput }).start();
    const s = await waitFor(a, (s) => s.status === 'done');
    expect(s.value).toBe('present');
    expect(seen[0]).toBe('prepare');
    expect(seen.slice(1, 3).sort()).toEqual(['download', 'unpack']);
    expect(seen.slice(3)).toEqual(['finish', 'commit']);
    expect(s.context.size).toBe(5);
    expect(s.context.plan).toEqual({ ingestPath: '/ingest' });
  });

  it('download and unpack run at the same time', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => { release = r; });
    let unpackStartedBeforeDownloadEnded = false;
    let downloading = false;
    const m = layerEffects({
      downloadBlob: fromPromise(async () => { downloading = true; await gate; downloading = false; }),
      unpackLayer: fromPromise(async () => { unpackStartedBeforeDownloadEnded = downloading; release(); return { size: 1 }; }),
    });
    const s = await waitFor(createActor(m, { input: layerInput }).start(), (s) => s.status === 'done');
    expect(s.value).toBe('present');
    expect(unpackStartedBeforeDownloadEnded).toBe(true);
  });

  it('a blob that fails verification is discarded and the transfer retried', async () => {
    let downloads = 0;
    const seen: string[] = [];
    const m = layerEffects({
      downloadBlob: fromPromise(async () => {
        downloads++;
        if (downloads === 1) throw new BerthError('digest_mismatch', 'corrupt');
      }),
    }, seen);
    const s = await waitFor(createActor(m, { input: layerInput }).start(), (s) => s.status === 'done');
    expect(s.value).toBe('present');
    expect(downloads).toBe(2);
    expect(s.context.attempt).toBe(2);
    expect(seen.filter((x) => x === 'finish')).toHaveLength(2);
  });

  it('gives up after maxAttempts corrupt transfers and never commits', async () => {
    let committed = false;
    let downloads = 0;
    const m = layerEffects({
      downloadBlob: fromPromise(async () => { downloads++; throw new BerthError('digest_mismatch', 'corrupt'); }),
      commitLayer: fromPromise(async () => { committed = true; }),
    });
    const s = await waitFor(createActor(m, { input: { ...layerInput, maxAttempts: 2 } }).start(), (s) => s.status === 'done');
    expect(s.value).toBe('failed');
    expect(s.context.error?.code).toBe('digest_mismatch');
    expect(downloads).toBe(2);
    expect(committed).toBe(false);
  });

  it('an unpack failure waits for the download: a corrupt blob is retried, a verified one fails', async () => {
    let n = 0;
    const m = layerEffects({
      downloadBlob: fromPromise(async () => {
        n++;
        await new Promise((r) => setTimeout(r, 5));
        if (n === 1) throw new BerthError('digest_mismatch', 'corrupt');
      }),
      unpackLayer: fromPromise(async (): Promise<{ size: number }> => { throw new BerthError('invalid_argument', 'not valid gzip'); }),
    });
    const s = await waitFor(createActor(m, { input: layerInput }).start(), (s) => s.status === 'done');
    expect(s.value).toBe('failed');
    expect(n).toBe(2);
    expect(s.context.error?.message).toBe('not valid gzip');
  });

  it('an unsafe layer fails and is never committed; a permanent registry error is not retried', async () => {
    let committed = false;
    const m = layerEffects({
      unpackLayer: fromPromise(async (): Promise<{ size: number }> => { throw new BerthError('unsafe_layer', '../evil escapes'); }),
      commitLayer: fromPromise(async () => { committed = true; }),
    });
    const s = await waitFor(createActor(m, { input: layerInput }).start(), (s) => s.status === 'done');
    expect(s.value).toBe('failed');
    expect(s.context.error?.code).toBe('unsafe_layer');
    expect(committed).toBe(false);
    let downloads = 0;
    const m2 = layerEffects({ downloadBlob: fromPromise(async () => { downloads++; throw new BerthError('registry_error', 'answered 404'); }) });
    const s2 = await waitFor(createActor(m2, { input: layerInput }).start(), (s) => s.status === 'done');
    expect(s2.value).toBe('failed');
    expect(s2.context.error?.message).toBe('answered 404');
    expect(downloads).toBe(1);
  });

  it('a staged blob is stored after the commit, once STORE_BLOB arrives; the layer is usable meanwhile', async () => {
    const seen: string[] = [];
    const m = layerEffects({
      prepareTransfer: fromPromise(async () => ({ ingestPath: '/ingest', staged: true })),
      commitLayer: fromPromise(async () => { seen.push('commit'); return { blobHeld: true }; }),
      storeBlob: fromPromise(async () => { seen.push('store'); }),
    }, seen);
    const a = createActor(m, { input: layerInput, clock: new SimulatedClock() }).start();
    const held = await waitFor(a, (s) => isStoringBlob(s.value));
    expect(held.value).toEqual({ storingBlob: 'held' });
    expect(seen.slice(-2)).toEqual(['finish', 'commit']);
    a.send({ type: 'STORE_BLOB' });
    const s = await waitFor(a, (s) => s.status === 'done');
    expect(s.value).toBe('present');
    expect(seen.slice(-3)).toEqual(['finish', 'commit', 'store']);
    expect(s.context.blobError).toBeNull();
    // not staged: no storingBlob at all
    const plain = await waitFor(createActor(layerEffects({ storeBlob: fromPromise(async () => { throw new Error('not called'); }) }), { input: layerInput }).start(), (s) => s.status === 'done');
    expect(plain.value).toBe('present');
  });

  it('a held blob is stored after BLOB_HOLD_MS without STORE_BLOB; a blob that cannot be stored leaves the layer present with blobError', async () => {
    const clock = new SimulatedClock();
    let stores = 0;
    const m = layerEffects({
      prepareTransfer: fromPromise(async () => ({ ingestPath: '/ingest', staged: true })),
      commitLayer: fromPromise(async () => ({ blobHeld: true })),
      storeBlob: fromPromise(async () => { stores++; throw new BerthError('registry_error', 'gone'); }),
    });
    const a = createActor(m, { input: layerInput, clock }).start();
    await waitFor(a, (s) => isStoringBlob(s.value));
    clock.increment(BLOB_HOLD_MS - 1);
    await new Promise((r) => setTimeout(r, 10));
    expect(stores).toBe(0);
    clock.increment(1);
    const s = await waitFor(a, (s) => s.status === 'done');
    expect(stores).toBe(1);
    expect(s.value).toBe('present');
    expect(s.context.blobError?.message).toBe('gone');
    expect(s.context.error).toBeNull();
  });

  it('rehydrates a persisted snapshot in storingBlob and stores the blob', async () => {
    const m = layerEffects({ prepareTransfer: fromPromise(async () => ({ ingestPath: '/ingest', staged: true })), commitLayer: fromPromise(async () => ({ blobHeld: true })) });
    const first = createActor(m, { input: layerInput, clock: new SimulatedClock() }).start();
    await waitFor(first, (s) => isStoringBlob(s.value));
    const persisted = JSON.parse(JSON.stringify(first.getPersistedSnapshot()));
    first.stop();
    let stored = 0;
    const restored = createActor(layerEffects({ storeBlob: fromPromise(async () => { stored++; }) }), { input: layerInput, snapshot: persisted }).start();
    restored.send({ type: 'STORE_BLOB' });
    const s = await waitFor(restored, (s) => s.status === 'done');
    expect(s.value).toBe('present');
    expect(stored).toBe(1);
    expect(s.context.plan).toEqual({ ingestPath: '/ingest', staged: true });
  });

  it('a staged blob whose bytes the commit no longer holds (a restarted daemon) is stored at once, without waiting', async () => {
    let stored = 0;
    const m = layerEffects({
      prepareTransfer: fromPromise(async () => ({ ingestPath: '/ingest', staged: true })),
      commitLayer: fromPromise(async () => ({ blobHeld: false })),
      storeBlob: fromPromise(async () => { stored++; }),
    });
    const s = await waitFor(createActor(m, { input: layerInput, clock: new SimulatedClock() }).start(), (s) => s.status === 'done');
    expect(s.value).toBe('present');
    expect(stored).toBe(1);
  });
});
