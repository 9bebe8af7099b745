// Making one layer present in the store: check, then transfer — download the
// blob and unpack it at the same time (in one pool task, or with the unpacker
// following the file as it is written; the actor decides) — then commit. A blob that fails verification is discarded and the
// transfer retried, up to maxAttempts; a layer that unpacks wrong from a
// verified blob fails at once. A blob received into memory (plan.staged) is
// stored after the layer is committed (storingBlob): the layer can be used
// from then on. It is held until the pull that asked for it has published
// its image (STORE_BLOB), or BLOB_HOLD_MS at most, so that writing it does
// not compete with the pull's remaining layers for the disk. A blob that
// cannot be stored leaves the layer present without it (blobError), as a
// layer unpacked from another image's blob is.
// One actor per chain id, shared by every pull that needs the layer. Pure;
// effects come from src/actors/layer-actor.ts.
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
  /** foreign-layer URLs to try when the registry does not have the blob */
  urls?: string[];
  /** transfers tried before giving up on a blob that keeps failing verification (default 3) */
  maxAttempts?: number;
}

export interface UnpackOutput { size: number }

/** What the commit found: whether a staged blob's bytes are still held (false once a restarted daemon lost them). */
export interface CommitOutput { blobHeld: boolean }

/**
 * What preparing a transfer decided: where the blob is being written, or null when it is already stored;
 * `staged`: the bytes go to memory first (kept by the actor) and are stored after the layer's commit, in storingBlob.
 */
export interface TransferPlan { ingestPath: string | null; staged?: boolean }

export interface LayerContext extends LayerInput {
  size: number | null;
  attempt: number;
  plan: TransferPlan | null;
  blobError: SerializedError | null;
  treeError: SerializedError | null;
  error: SerializedError | null;
}

export const DEFAULT_LAYER_ATTEMPTS = 3;

/** How long a committed layer's blob is held in memory at most, waiting for STORE_BLOB. */
export const BLOB_HOLD_MS = 5000;

/** The pull that needed the layer is over: write its held blob now. */
export type LayerEvent = { type: 'STORE_BLOB' };

/** Whether a layer machine's state value is `storingBlob` (any of its sub-states). */
export function isStoringBlob(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'storingBlob' in value;
}

/** Errors a fresh transfer may cure: content that failed verification, a cut or abandoned download. */
export function isRetryableTransferError(e: SerializedError | null): boolean {
  return e !== null && (e.code === 'digest_mismatch' || /was cut|was reset|stopped sending|ended .* after/.test(e.message));
}

export const layerMachine = setup({
  types: {
    context: {} as LayerContext,
    input: {} as LayerInput,
    events: {} as LayerEvent,
  },
  actors: {
    checkLayer: unprovided<{ present: boolean; size: number | null }, LayerInput>('layer', 'checkLayer'),
    prepareTransfer: unprovided<TransferPlan, LayerContext>('layer', 'prepareTransfer'),
    downloadBlob: unprovided<void, LayerContext>('layer', 'downloadBlob'),
    unpackLayer: unprovided<UnpackOutput, LayerContext>('layer', 'unpackLayer'),
    finishTransfer: unprovided<void, LayerContext>('layer', 'finishTransfer'),
    commitLayer: unprovided<CommitOutput, LayerContext>('layer', 'commitLayer'),
    storeBlob: unprovided<void, LayerContext>('layer', 'storeBlob'),
  },
  delays: {
    // 0.5 s, 1 s, 2 s, … between transfers of a blob that failed verification
    retryDelay: ({ context }) => Math.min(8000, 500 * 2 ** Math.max(0, context.attempt - 1)),
    blobHold: BLOB_HOLD_MS,
  },
  guards: {
    retryable: ({ context }) => isRetryableTransferError(context.blobError) && context.attempt < (context.maxAttempts ?? DEFAULT_LAYER_ATTEMPTS),
    transferFailed: ({ context }) => context.blobError !== null || context.treeError !== null,
    blobStaged: ({ context }) => context.plan?.staged === true,
  },
}).createMachine({
  id: 'layer',
  initial: 'checking',
  context: ({ input }) => ({ ...input, size: null, attempt: 1, plan: null, blobError: null, treeError: null, error: null }),
  states: {
    checking: {
      invoke: {
        src: 'checkLayer',
        input: ({ context }) => context,
        onDone: [
          { guard: ({ event }) => event.output.present, target: 'present', actions: assign({ size: ({ event }) => event.output.size }) },
          { target: 'preparing' },
        ],
        onError: { target: 'failed', actions: assign({ error: ({ event }) => serializeError(event.error) }) },
      },
    },
    preparing: {
      invoke: {
        src: 'prepareTransfer',
        input: ({ context }) => context,
        onDone: { target: 'transferring', actions: assign({ plan: ({ event }) => event.output, blobError: null, treeError: null }) },
        onError: { target: 'failed', actions: assign({ error: ({ event }) => serializeError(event.error) }) },
      },
    },
    transferring: {
      type: 'parallel',
      onDone: 'finishing',
      states: {
        blob: {
          initial: 'downloading',
          states: {
            downloading: {
              invoke: {
                src: 'downloadBlob',
                input: ({ context }) => context,
                onDone: 'verified',
                onError: { target: 'rejected', actions: assign({ blobError: ({ event }) => serializeError(event.error) }) },
              },
            },
            verified: { type: 'final' },
            rejected: { type: 'final' },
          },
        },
        tree: {
          initial: 'unpacking',
          states: {
            unpacking: {
              invoke: {
                src: 'unpackLayer',
                input: ({ context }) => context,
                onDone: { target: 'unpacked', actions: assign({ size: ({ event }) => event.output.size }) },
                onError: { target: 'rejected', actions: assign({ treeError: ({ event }) => serializeError(event.error) }) },
              },
            },
            unpacked: { type: 'final' },
            rejected: { type: 'final' },
          },
        },
      },
    },
    finishing: {
      invoke: {
        src: 'finishTransfer',
        input: ({ context }) => context,
        onDone: [
          { guard: 'retryable', target: 'retrying' },
          { guard: 'transferFailed', target: 'failed', actions: assign({ error: ({ context }) => context.blobError ?? context.treeError }) },
          { target: 'committing' },
        ],
        onError: { target: 'failed', actions: assign({ error: ({ event }) => serializeError(event.error) }) },
      },
    },
    retrying: {
      entry: assign({ attempt: ({ context }) => context.attempt + 1, plan: null, size: null }),
      after: { retryDelay: 'preparing' },
    },
    committing: {
      invoke: {
        src: 'commitLayer',
        input: ({ context }) => context,
        onDone: [
          { guard: ({ context, event }) => context.plan?.staged === true && (event.output as CommitOutput | undefined)?.blobHeld === true, target: 'storingBlob' },
          // nothing held to wait with (a restarted daemon): fetch the blob again at once
          { guard: 'blobStaged', target: 'storingBlob.writing' },
          { target: 'present' },
        ],
        onError: { target: 'failed', actions: assign({ error: ({ event }) => serializeError(event.error) }) },
      },
    },
    // The layer is committed and usable; its blob, received into memory, is written to the content store
    // once the pull is over.
    storingBlob: {
      initial: 'held',
      states: {
        held: {
          on: { STORE_BLOB: 'writing' },
          after: { blobHold: 'writing' },
        },
        writing: {
          invoke: {
            src: 'storeBlob',
            input: ({ context }) => context,
            onDone: '#layer.present',
            onError: { target: '#layer.present', actions: assign({ blobError: ({ event }) => serializeError(event.error) }) },
          },
        },
      },
    },
    present: { type: 'final' },
    failed: { type: 'final' },
  },
});

export type LayerMachine = typeof layerMachine;
