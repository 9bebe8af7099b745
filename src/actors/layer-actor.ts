// Hosts one layer's machine. A transfer writes the blob to an ingest file
// (resumable, verified while streaming, published into the content store by
// a hard link once verified) and unpacks it on the same pass. Usually one
// piscina task does both (layer-transfer.ts: the response is read, hashed,
// written and unpacked on one pool thread), and the machine's download and
// unpack share its outcome. Foreign URLs, mirrors, and responses only the
// registry client's general path handles (auth challenges, errors) take the
// general path: this thread downloads into the ingest file while an unpack
// task follows it as it grows; a failed download unlinks the file, which
// stops the follower. Every pull that needs the layer waits on the same
// actor, so a shared layer is fetched once.
import { existsSync } from 'node:fs';
import { link, open, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fromPromise } from 'xstate';
import { BerthError, deserializeError } from '../errors.js';
import { layerMachine, type LayerContext, type LayerInput, type TransferPlan, type UnpackOutput } from '../machines/layer.js';
import { parseReference } from '../image/reference.js';
import { layerDirName } from '../store/chain-id.js';
import { downloadBlobToFile } from '../registry/blob-download.js';
import { directTransfer, type DirectOutcome } from './layer-direct.js';
import type { Credential } from '../registry/bearer-auth.js';
import { JournaledActor } from './journaled-actor.js';
import { imageServices, type ImageServices } from './image-services.js';
import type { ActorEnv, HostedActor } from './actor-env.js';
import type { ActorMessage } from '../workers/messages.js';
import type { StreamEvent } from '../protocol/frames.js';
import { fsyncDir } from '../util/atomic-file.js';
import { traceStart } from '../util/trace.js';
import { syncFilesystem } from '../util/sync-fs.js';


class LayerActor implements HostedActor {
  private readonly journaled: JournaledActor<typeof layerMachine>;
  private readonly watchers = new Set<string>();
  private readonly svc: ImageServices;
  private readonly shortId: string;
  private credential: Credential | undefined;
  /** The one-task transfer of the current attempt, shared by the machine's download and unpack. */
  private direct: { attempt: number; outcome: Promise<DirectOutcome | null> } | undefined;
  private readonly trace: (phase: string) => void;

  constructor(private readonly env: ActorEnv, readonly actorId: string, input: LayerInput, snapshot?: unknown) {
    this.svc = imageServices(env);
    this.shortId = input.blobDigest.slice(7, 19);
    this.trace = traceStart(`layer ${this.shortId}`);
    const machine = layerMachine.provide({
      actors: {
        checkLayer: fromPromise(({ input: i }: { input: LayerInput }) => this.check(i)),
        prepareTransfer: fromPromise(({ input: c }: { input: LayerContext }) => this.prepare(c)),
        downloadBlob: fromPromise(({ input: c }: { input: LayerContext }) => this.download(c)),
        unpackLayer: fromPromise(({ input: c }: { input: LayerContext }) => this.unpack(c)),
        finishTransfer: fromPromise(({ input: c }: { input: LayerContext }) => this.finish(c)),
        commitLayer: fromPromise(({ input: c }: { input: LayerContext }) => this.commit(c)),
      },
    });
    this.journaled = new JournaledActor(env, actorId, 'layer', machine, input, snapshot).start();
  }

  async handle(msg: ActorMessage): Promise<unknown> {
    if (msg.type !== 'ENSURE') throw new BerthError('invalid_argument', `layer actor: unknown message ${msg.type}`);
    if (typeof msg.watcher === 'string') this.watchers.add(msg.watcher);
    const auth = msg.credential as Credential | undefined;
    if (!this.credential && auth && typeof auth.username === 'string' && typeof auth.password === 'string') this.credential = auth;
    // `until: 'transferred'` answers once the blob and tree are in and only the commit (flush, record) is left:
    // a pull's download slot is free then, and the commit overlaps the next transfer. That answer only frees a
    // slot (the pull asks again for the layer itself), so it does not wait for the journal's disk flush, which
    // takes long while layers are being flushed. An answer from a final state (failed, present) does wait: the
    // pull acts on it (fails, and its caller may collect garbage, which must see this actor's record gone).
    const transferred = msg.until === 'transferred';
    const onlyFreesSlot = (s: { value: unknown }) => transferred && s.value === 'committing';
    const s = await this.journaled.until((s) => s.status !== 'active' || onlyFreesSlot(s), (s) => !onlyFreesSlot(s));
    if (onlyFreesSlot(s)) return { chainId: s.context.chainId, transferred: true };
    if (s.value !== 'present') {
      const e = s.context.error;
      throw new BerthError(e?.code ?? 'internal', e?.message ?? `layer ${s.context.chainId} failed`);
    }
    return { chainId: s.context.chainId, size: s.context.size };
  }

  stop(): void {
    this.journaled.stop();
  }

  private progress(status: string, current?: number, total?: number): void {
    const ev: StreamEvent = { kind: 'progress', id: this.shortId, status, current, total };
    for (const w of this.watchers) this.env.notify(w, ev);
  }

  /** Where this layer's blob is downloaded to: named by blob and layer (one actor per layer, so one writer), so a download a crash cut short is found again. */
  private partialPath(c: LayerInput): string {
    return join(this.svc.content.partialDir, `${c.blobDigest.slice(7)}-${layerDirName(c.chainId)}`);
  }

  private async check(i: LayerInput): Promise<{ present: boolean; size: number | null }> {
    const rec = this.env.db.layers.get(i.chainId);
    if (rec && existsSync(rec.path)) {
      await rm(this.partialPath(i), { force: true }); // left when a crash came between the record and the removal
      this.progress('Already exists');
      return { present: true, size: rec.size };
    }
    this.progress('Pulling fs layer');
    return { present: false, size: null };
  }

  /** Decides where the blob comes from: the store (null) or a fresh ingest file. */
  private async prepare(c: LayerContext): Promise<TransferPlan> {
    if (c.attempt > 1) this.progress(`Retrying (attempt ${c.attempt} of ${c.maxAttempts ?? 3})`);
    await rm(this.svc.layerDir(c.chainId), { recursive: true, force: true });
    const ingestPath = this.partialPath(c);
    if (await this.svc.content.has(c.blobDigest)) {
      await rm(ingestPath, { force: true }); // a finished download whose removal a crash prevented
      return { ingestPath: null };
    }
    if (!c.sourceRef) throw new BerthError('not_found', `layer blob ${c.blobDigest} is not in the content store and has no registry to fetch it from`);
    if (c.attempt > 1) await rm(ingestPath, { force: true }); // a retry follows a rejected blob: start afresh
    const fh = await open(ingestPath, 'a', 0o644);
    try {
      if ((await fh.stat()).size > c.blobSize) await fh.truncate(0);
    } finally {
      await fh.close();
    }
    this.trace('prepared');
    return { ingestPath };
  }

  /** The one-task transfer for this attempt (started by whichever of download and unpack asks first), or null: take the general path. */
  private directOutcome(c: LayerContext): Promise<DirectOutcome | null> {
    if (this.direct?.attempt !== c.attempt) {
      this.direct = { attempt: c.attempt, outcome: directTransfer(this.env, this.svc, c, this.credential, (status, cur) => this.progress(status, cur, c.blobSize)) };
    }
    return this.direct.outcome;
  }

  private async download(c: LayerContext): Promise<void> {
    const ingest = c.plan?.ingestPath;
    if (!ingest) return;
    const direct = await this.directOutcome(c);
    if (direct) {
      if (direct.blobError) {
        await unlink(ingest).catch(() => undefined);
        throw deserializeError(direct.blobError);
      }
      this.progress('Download complete');
      this.trace('downloaded');
      return;
    }
    const ref = parseReference(c.sourceRef!);
    let reported = 0;
    const fh = await open(ingest, 'r+');
    try {
      const resumeFrom = (await fh.stat()).size; // left by a download a daemon crash cut short
      await downloadBlobToFile(this.svc.registry, ref, { digest: c.blobDigest, size: c.blobSize, urls: c.urls }, fh.fd, {
        credential: this.credential,
        resumeFrom,
        path: ingest,
        onConnect: (offset) => { if (offset > 0) this.progress(`Resuming from ${offset} bytes`, offset, c.blobSize); },
        onProgress: (n) => {
          if (n - reported >= 512 * 1024 || n === c.blobSize) {
            reported = n;
            this.progress('Downloading', n, c.blobSize);
          }
        },
      });
      this.progress('Verifying Checksum');
    } catch (err) {
      await fh.close().catch(() => undefined);
      await unlink(ingest).catch(() => undefined); // stops the unpacker following the file
      throw err;
    }
    await fh.close();
    this.progress('Download complete');
    this.trace('downloaded');
    // Not flushed nor published yet: commit() flushes the filesystem once for blob and layer, then publishes.
  }

  /** Gives the verified ingest file its content address (a blob path holds exactly its digest's bytes); call only once its data is durable. */
  private async publishBlob(c: LayerContext): Promise<void> {
    const ingest = c.plan?.ingestPath;
    if (!ingest) return;
    await link(ingest, this.svc.content.path(c.blobDigest)).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw new BerthError('io_error', `cannot store blob ${c.blobDigest}: ${err.message}`);
    });
    await fsyncDir(this.svc.content.blobsDir);
  }

  private async unpack(c: LayerContext): Promise<UnpackOutput> {
    const ingest = c.plan?.ingestPath ?? null;
    const direct = ingest ? await this.directOutcome(c) : null;
    if (direct) {
      if (direct.treeError) throw deserializeError(direct.treeError);
      this.trace('unpacked');
      return { size: direct.size ?? 0 };
    }
    if (!ingest) this.progress('Extracting');
    const out = await this.env.runTask<{ diffId: string; size: number }>('unpackLayer', {
      blobPath: ingest ?? this.svc.content.path(c.blobDigest),
      followSize: ingest ? c.blobSize : undefined,
      noSync: true, // commit() flushes once for the blob and the layer
      mediaType: c.mediaType,
      target: this.svc.layerDir(c.chainId),
      expectedDiffId: c.diffId,
    });
    this.trace('unpacked');
    return { size: out.size };
  }

  /**
   * After a failure: removes whatever was unpacked and the ingest file (a
   * blob that verified but unpacked wrong is flushed and stored first: its
   * bytes are what its digest names). After success the ingest file is kept
   * for commit().
   */
  private async finish(c: LayerContext): Promise<void> {
    if (!c.blobError && !c.treeError) return;
    await rm(this.svc.layerDir(c.chainId), { recursive: true, force: true });
    const ingest = c.plan?.ingestPath;
    if (!ingest) return;
    if (!c.blobError) {
      await syncFilesystem(this.svc.content.ingestDir);
      await this.publishBlob(c);
    }
    await rm(ingest, { force: true });
  }

  /** Flushes the filesystem of the ingest files and, when it is another one, that of the layer. */
  private async flush(c: LayerContext): Promise<void> {
    const layers = dirname(this.svc.layerDir(c.chainId));
    const [a, b] = await Promise.all([stat(this.svc.content.ingestDir), stat(layers)]);
    await Promise.all([syncFilesystem(this.svc.content.ingestDir), a.dev === b.dev ? undefined : syncFilesystem(layers)]);
  }

  /**
   * One flush of the filesystem makes both the blob and the unpacked layer
   * durable (layers finishing together share it), then the blob is
   * published and the layer recorded: after a crash no record points at
   * half-written data.
   */
  private async commit(c: LayerContext): Promise<void> {
    try {
      await this.flush(c);
      await this.publishBlob(c);
      // The blob is stored: its download file goes before the record, so a crash in between leaves nothing behind.
      if (c.plan?.ingestPath) await rm(c.plan.ingestPath, { force: true });
      this.trace('synced');
      await this.env.db.layers.put(c.chainId, {
        chainId: c.chainId,
        diffId: c.diffId,
        blobDigest: c.blobDigest,
        path: this.svc.layerDir(c.chainId),
        size: c.size ?? 0,
        committedAt: new Date().toISOString(),
      });
    } finally {
      if (c.plan?.ingestPath) await rm(c.plan.ingestPath, { force: true });
    }
    this.progress('Pull complete');
    this.trace('committed');
  }
}

export function createLayerActor(env: ActorEnv, actorId: string, input: unknown, snapshot?: unknown): HostedActor {
  return new LayerActor(env, actorId, input as LayerInput, snapshot);
}
