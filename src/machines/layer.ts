// Making one layer present in the store: check, download (or reuse) its blob,
// unpack it, commit it. One actor per chain id, shared by every pull that
// needs the layer. Pure; effects come from src/actors/layer-actor.ts.
import { assign, setup } from 'xstate';
import { serializeError, type SerializedError } from '../errors.js';
import { unprovided } from './unprovided.js';

export interface LayerInput {
  chainId: string;
  diffId: string;
  blobDigest: string;
  blobSize: number;
  mediaType: string;
  /** reference the blob can be fetched from (registry/repository), or null for local-only */
  sourceRef: string | null;
}

export interface UnpackOutput { size: number }

export interface LayerContext extends LayerInput {
  size: number | null;
  error: SerializedError | null;
}

export const layerMachine = setup({
  types: {
    context: {} as LayerContext,
    input: {} as LayerInput,
  },
  actors: {
    checkLayer: unprovided<{ present: boolean; size: number | null }, LayerInput>('layer', 'checkLayer'),
    downloadBlob: unprovided<void, LayerInput>('layer', 'downloadBlob'),
    unpackLayer: unprovided<UnpackOutput, LayerInput>('layer', 'unpackLayer'),
    commitLayer: unprovided<void, LayerContext>('layer', 'commitLayer'),
  },
}).createMachine({
  id: 'layer',
  initial: 'checking',
  context: ({ input }) => ({ ...input, size: null, error: null }),
  states: {
    checking: {
      invoke: {
        src: 'checkLayer',
        input: ({ context }) => context,
        onDone: [
          { guard: ({ event }) => event.output.present, target: 'present', actions: assign({ size: ({ event }) => event.output.size }) },
          { target: 'downloading' },
        ],
        onError: { target: 'failed', actions: assign({ error: ({ event }) => serializeError(event.error) }) },
      },
    },
    downloading: {
      invoke: {
        src: 'downloadBlob',
        input: ({ context }) => context,
        onDone: 'unpacking',
        onError: { target: 'failed', actions: assign({ error: ({ event }) => serializeError(event.error) }) },
      },
    },
    unpacking: {
      invoke: {
        src: 'unpackLayer',
        input: ({ context }) => context,
        onDone: { target: 'committing', actions: assign({ size: ({ event }) => event.output.size }) },
        onError: { target: 'failed', actions: assign({ error: ({ event }) => serializeError(event.error) }) },
      },
    },
    committing: {
      invoke: {
        src: 'commitLayer',
        input: ({ context }) => context,
        onDone: 'present',
        onError: { target: 'failed', actions: assign({ error: ({ event }) => serializeError(event.error) }) },
      },
    },
    present: { type: 'final' },
    failed: { type: 'final' },
  },
});

export type LayerMachine = typeof layerMachine;
