// Transitions of the pull and layer machines, with effects supplied by the test.
import { describe, expect, it } from 'vitest';
import { createActor, fromCallback, fromPromise, waitFor } from 'xstate';
import { pullMachine, type PullEvent, type ResolvedImage } from '../../src/machines/pull.js';
import { layerMachine, type LayerInput } from '../../src/machines/layer.js';
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

describe('layer machine', () => {
  it('an already present layer goes straight to present', async () => {
    const m = layerMachine.provide({ actors: { checkLayer: fromPromise(async () => ({ present: true, size: 10 })) } });
    const s = await waitFor(createActor(m, { input: layerInput }).start(), (s) => s.status === 'done');
    expect(s.value).toBe('present');
    expect(s.context.size).toBe(10);
  });

  it('checking → downloading → unpacking → committing → present', async () => {
    const seen: string[] = [];
    const m = layerMachine.provide({
      actors: {
        checkLayer: fromPromise(async () => ({ present: false, size: null })),
        downloadBlob: fromPromise(async () => { seen.push('download'); }),
        unpackLayer: fromPromise(async () => { seen.push('unpack'); return { size: 5 }; }),
        commitLayer: fromPromise(async () => { seen.push('commit'); }),
      },
    });
    const s = await waitFor(createActor(m, { input: layerInput }).start(), (s) => s.status === 'done');
    expect(s.value).toBe('present');
    expect(seen).toEqual(['download', 'unpack', 'commit']);
    expect(s.context.size).toBe(5);
  });

  it('an unsafe layer fails and is never committed', async () => {
    let committed = false;
    const m = layerMachine.provide({
      actors: {
        checkLayer: fromPromise(async () => ({ present: false, size: null })),
        downloadBlob: fromPromise(async () => {}),
        unpackLayer: fromPromise(async (): Promise<{ size: number }> => { throw new BerthError('unsafe_layer', '../evil escapes'); }),
        commitLayer: fromPromise(async () => { committed = true; }),
      },
    });
    const s = await waitFor(createActor(m, { input: layerInput }).start(), (s) => s.status === 'done');
    expect(s.value).toBe('failed');
    expect(s.context.error?.code).toBe('unsafe_layer');
    expect(committed).toBe(false);
  });
});
