// The layer actor's fast path: asks the pool for the whole transfer of a
// layer blob (download, verify, unpack: src/image/layer-transfer.ts) with a
// request prepared here — URL and the headers the registry client would
// send, its cached bearer token included. When the registry challenges that
// request, one HEAD through the client's general path answers the challenge
// (the token is cached) and the task is asked again; any other answer the
// task cannot handle, and foreign URLs or mirrors, give null: the caller
// takes the general path. Byte progress comes from the download file's size,
// read every 250 ms while the task runs.
import { statSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { SerializedError } from '../errors.js';
import type { LayerContext } from '../machines/layer.js';
import { parseReference } from '../image/reference.js';
import type { TransferLayerArgs, TransferLayerResult } from '../image/layer-transfer.js';
import type { Credential } from '../registry/bearer-auth.js';
import { directBlobRequest } from '../registry/blob-response.js';
import type { ActorEnv } from './actor-env.js';
import type { ImageServices } from './image-services.js';

export interface DirectOutcome {
  blobError: SerializedError | null;
  treeError: SerializedError | null;
  size: number | null;
}

/** How often the download file's size is read for progress (the task writes it in 256 KiB batches). */
const PROGRESS_MS = 250;

/** Reports the file's size as it grows (the task runs on another thread and sends no progress of its own); returns a stop function. */
function watchGrowth(path: string, from: number, report: (bytes: number) => void): () => void {
  let last = from;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    stat(path).then(
      (st) => {
        if (st.size > last) report((last = st.size));
      },
      () => undefined,
    ).finally(() => { busy = false; });
  }, PROGRESS_MS);
  return () => clearInterval(timer);
}

/** Whether a transfer of this layer can take the fast path at all (it may still fall back, on an answer only the general path handles). */
export function directApplies(svc: ImageServices, c: LayerContext, credential: Credential | undefined): boolean {
  if (!c.sourceRef || c.urls?.length) return false;
  const ref = parseReference(c.sourceRef);
  return directBlobRequest(svc.registry, ref, c.blobDigest, {}, credential, `blob ${c.blobDigest}`) !== null;
}

/** The transfer into `into` (the download file, or the memory file a staged blob is received into). */
export async function directTransfer(env: ActorEnv, svc: ImageServices, c: LayerContext, into: { path: string; memoryFile: boolean }, credential: Credential | undefined, progress: (status: string, current: number) => void): Promise<DirectOutcome | null> {
  if (!c.sourceRef || c.urls?.length) return null;
  const ingestPath = into.path;
  const ref = parseReference(c.sourceRef);
  const client = svc.registry;
  const what = `blob ${c.blobDigest} of ${ref.registry}/${ref.repository}`;
  for (let challenged = false; ; challenged = true) {
    const request = directBlobRequest(client, ref, c.blobDigest, {}, credential, what);
    if (!request) return null;
    const have = statSync(ingestPath).size; // left by a download a daemon crash cut short
    progress(have > 0 ? `Resuming from ${have} bytes` : 'Downloading', have);
    const args: TransferLayerArgs = {
      request,
      retry: client.transport.policy,
      stallTimeoutMs: client.stallTimeoutMs,
      what,
      blobDigest: c.blobDigest,
      blobSize: c.blobSize,
      ingestPath,
      memoryFile: into.memoryFile,
      mediaType: c.mediaType,
      target: svc.layerDir(c.chainId),
      expectedDiffId: c.diffId,
    };
    const stopWatching = watchGrowth(ingestPath, have, (n) => progress('Downloading', n));
    const r = await env.runTask<TransferLayerResult>('transferLayer', args).finally(stopWatching);
    if (!r.fallback && !r.blobError) progress('Downloading', c.blobSize);
    if (!r.fallback) return r;
    if (r.fallback.status !== 401 || challenged) return null;
    const head = await client.pullRequest(ref, `blobs/${c.blobDigest}`, { method: 'HEAD', what }, { credential }).catch(() => null);
    await head?.body?.cancel().catch(() => undefined);
  }
}
