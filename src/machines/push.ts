// One push of a local image to a registry: read its manifest from the store,
// make every blob (config and layers) present in the target repository —
// already there, mounted from another repository, or uploaded — then PUT the
// manifest under the tag. Pure; effects are supplied by src/actors/push-actor.ts.
import { assign, fromCallback, setup } from 'xstate';
import { serializeError, type SerializedError } from '../errors.js';
import { unprovided } from './unprovided.js';

export interface PushInput {
  /** normalised target reference registry/repository:tag */
  ref: string;
  /** the image's manifest, in the local content store */
  manifestDigest: string;
  /** repositories on the same registry the image also lives in (mount sources) */
  mountFrom: string[];
  /** registry/repository names the image was pulled from: where blobs missing locally are fetched */
  sources?: string[];
}

export interface PushBlob { digest: string; size: number; mediaType: string; done: boolean }

export interface PushPlan { mediaType: string; size: number; blobs: PushBlob[] }

export interface PushContext extends PushInput {
  plan: PushPlan | null;
  pushedDigest: string | null;
  error: SerializedError | null;
}

export type PushEvent =
  | { type: 'BLOB_DONE'; digest: string }
  | { type: 'BLOBS_READY' }
  | { type: 'BLOBS_FAILED'; error: SerializedError };

export const pushMachine = setup({
  types: { context: {} as PushContext, input: {} as PushInput, events: {} as PushEvent },
  actors: {
    planPush: unprovided<PushPlan, PushInput>('push', 'planPush'),
    uploadBlobs: fromCallback<PushEvent, PushContext>(() => {
      throw new Error("push machine: actor 'uploadBlobs' was not provided");
    }),
    putManifest: unprovided<string, PushContext>('push', 'putManifest'),
  },
  actions: {
    recordError: assign({ error: ({ event }) => serializeError((event as unknown as { error: unknown }).error) }),
  },
}).createMachine({
  id: 'push',
  initial: 'planning',
  context: ({ input }) => ({ ...input, plan: null, pushedDigest: null, error: null }),
  states: {
    planning: {
      invoke: {
        src: 'planPush',
        input: ({ context }) => ({ ref: context.ref, manifestDigest: context.manifestDigest, mountFrom: context.mountFrom, sources: context.sources }),
        onDone: { target: 'uploading', actions: assign({ plan: ({ event }) => event.output }) },
        onError: { target: 'failed', actions: 'recordError' },
      },
    },
    uploading: {
      invoke: { src: 'uploadBlobs', input: ({ context }) => context, onError: { target: 'failed', actions: 'recordError' } },
      on: {
        BLOBS_READY: 'tagging',
        BLOBS_FAILED: { target: 'failed', actions: assign({ error: ({ event }) => event.error }) },
        BLOB_DONE: {
          actions: assign({
            plan: ({ context, event }) => context.plan && {
              ...context.plan,
              blobs: context.plan.blobs.map((b) => (b.digest === event.digest ? { ...b, done: true } : b)),
            },
          }),
        },
      },
    },
    tagging: {
      invoke: {
        src: 'putManifest',
        input: ({ context }) => context,
        onDone: { target: 'done', actions: assign({ pushedDigest: ({ event }) => event.output }) },
        onError: { target: 'failed', actions: 'recordError' },
      },
    },
    done: { type: 'final' },
    failed: { type: 'final' },
  },
});

export type PushMachine = typeof pushMachine;
