// One image pull (or load): resolve the reference to a manifest and config,
// have every layer made present by its layer actor, then commit the image.
// Pure; effects are the invoked actors supplied by src/actors/pull-actor.ts.
import { assign, fromCallback, setup } from 'xstate';
import { serializeError, type SerializedError } from '../errors.js';
import { unprovided } from './unprovided.js';
import type { ImageRunConfig } from '../store/records.js';

export type PullSource = 'registry' | 'local';

export interface PullInput {
  /** normalised reference: registry/repository[:tag][@digest] */
  ref: string;
  source: PullSource;
  /** for a local source: the manifest (or index) already in the content store */
  manifestDigest?: string;
  /** the pull keeps this reference's tag; false for a digest-only load */
  tag: boolean;
  /** wanted platform "os/arch[/variant]"; default: the daemon's own */
  platform?: string;
}

export interface PlannedLayer {
  blobDigest: string;
  blobSize: number;
  mediaType: string;
  diffId: string;
  chainId: string;
  done: boolean;
  /** foreign-layer URLs from the manifest */
  urls?: string[];
}

export interface ResolvedImage {
  manifestDigest: string;
  configDigest: string;
  config: ImageRunConfig;
  created: string | null;
  layers: PlannedLayer[];
}

export interface PullContext extends PullInput {
  image: ResolvedImage | null;
  error: SerializedError | null;
}

/** Sent by the fetchLayers callback actor as layers become present. */
export type PullEvent =
  | { type: 'LAYER_DONE'; chainId: string }
  | { type: 'LAYERS_READY' }
  | { type: 'LAYERS_FAILED'; error: SerializedError };

export const pullMachine = setup({
  types: {
    context: {} as PullContext,
    input: {} as PullInput,
    events: {} as PullEvent,
  },
  actors: {
    resolveImage: unprovided<ResolvedImage, PullInput>('pull', 'resolveImage'),
    fetchLayers: fromCallback<PullEvent, PullContext>(() => {
      throw new Error("pull machine: actor 'fetchLayers' was not provided");
    }),
    commitImage: unprovided<void, PullContext>('pull', 'commitImage'),
  },
}).createMachine({
  id: 'pull',
  initial: 'resolving',
  context: ({ input }) => ({ ...input, image: null, error: null }),
  states: {
    resolving: {
      invoke: {
        src: 'resolveImage',
        input: ({ context }) => ({ ref: context.ref, source: context.source, manifestDigest: context.manifestDigest, tag: context.tag, platform: context.platform }),
        onDone: { target: 'fetching', actions: assign({ image: ({ event }) => event.output }) },
        onError: { target: 'failed', actions: assign({ error: ({ event }) => serializeError(event.error) }) },
      },
    },
    fetching: {
      invoke: {
        src: 'fetchLayers',
        input: ({ context }) => context,
        onError: { target: 'failed', actions: assign({ error: ({ event }) => serializeError(event.error) }) },
      },
      on: {
        LAYERS_READY: 'committing',
        LAYERS_FAILED: { target: 'failed', actions: assign({ error: ({ event }) => event.error }) },
        LAYER_DONE: {
          actions: assign({
            image: ({ context, event }) =>
              context.image && {
                ...context.image,
                layers: context.image.layers.map((l) => (l.chainId === event.chainId ? { ...l, done: true } : l)),
              },
          }),
        },
      },
    },
    committing: {
      invoke: {
        src: 'commitImage',
        input: ({ context }) => context,
        onDone: 'done',
        onError: { target: 'failed', actions: assign({ error: ({ event }) => serializeError(event.error) }) },
      },
    },
    done: { type: 'final' },
    failed: { type: 'final' },
  },
});

export type PullMachine = typeof pullMachine;
