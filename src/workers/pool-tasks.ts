// Piscina task module for CPU/IO-heavy image work, run off the main thread.
// Loaded by piscina from the compiled file dist/src/workers/pool-tasks.js.
// Two ways to call it, both supported:
//   pool.run({ task: 'unpackLayer', blobPath, mediaType, target, expectedDiffId })   (default export dispatches)
//   pool.run({ task: 'transferLayer', request, ingestPath, … })                     (download + unpack, layer-transfer.ts)
//   pool.run({ blobPath, mediaType, target }, { name: 'unpackLayer' })               (named export)
// Failures: structured cloning across the thread boundary drops an Error's
// own properties (BerthError.code would be lost), so every task rejects with
// a plain object { name: 'BerthError', code, message, stack } instead. The
// main thread gets that object from pool.run(): serializeError() reads its
// code and deserializeError() turns it back into a BerthError.
import { BerthError, serializeError, type SerializedError } from '../errors.js';
import { digestFile as digestFileImpl } from '../image/digest-file.js';
import { unpackLayer as unpackLayerImpl, type UnpackLayerArgs, type UnpackLayerResult } from '../image/layer-unpack.js';
import { transferLayer as transferLayerImpl, type TransferLayerArgs, type TransferLayerResult } from '../image/layer-transfer.js';

export type { UnpackLayerArgs, UnpackLayerResult, TransferLayerArgs, TransferLayerResult };

/** What a pool task rejects with: clonable, and recognised by serializeError(). */
export interface PoolTaskError extends SerializedError {
  name: 'BerthError';
  stack?: string;
}

function toPoolError(err: unknown): PoolTaskError {
  return { name: 'BerthError', ...serializeError(err), stack: err instanceof Error ? err.stack : undefined };
}

async function asPoolTask<A, R>(fn: (args: A) => Promise<R>, args: A): Promise<R> {
  try {
    return await fn(args);
  } catch (err) {
    throw toPoolError(err);
  }
}

export function unpackLayer(args: UnpackLayerArgs): Promise<UnpackLayerResult> {
  return asPoolTask(unpackLayerImpl, args);
}

/** Download + verify + unpack of one layer on this thread; blob and tree outcomes come back in the result, not as a rejection. */
export function transferLayer(args: TransferLayerArgs): Promise<TransferLayerResult> {
  return asPoolTask(transferLayerImpl, args);
}

export function digestFile(args: { path: string }): Promise<{ digest: string; size: number }> {
  return asPoolTask(digestFileImpl, args);
}

export type PoolTask =
  | ({ task: 'unpackLayer' } & UnpackLayerArgs)
  | ({ task: 'transferLayer' } & TransferLayerArgs)
  | { task: 'digestFile'; path: string };

export type PoolTaskResult<T extends PoolTask['task']> =
  T extends 'unpackLayer' ? UnpackLayerResult : T extends 'transferLayer' ? TransferLayerResult : { digest: string; size: number };

export default async function runPoolTask(t: PoolTask): Promise<UnpackLayerResult | TransferLayerResult | { digest: string; size: number }> {
  switch (t?.task) {
    case 'unpackLayer': {
      const { task: _task, ...args } = t;
      return unpackLayer(args);
    }
    case 'transferLayer': {
      const { task: _task, ...args } = t;
      return transferLayer(args);
    }
    case 'digestFile':
      return digestFile({ path: t.path });
    default:
      throw toPoolError(new BerthError('internal', `pool task "${String((t as { task?: unknown })?.task)}" is unknown; expected unpackLayer, transferLayer or digestFile`));
  }
}
