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
// A blob small enough (in-memory-blob-max) and taking the fast path is
// received into an anonymous memory file instead (the plan says `staged`):
// the flush the commit waits for then writes only the layer, and the blob
// is written to the content store after the commit (storingBlob), while
// the pull that asked goes on. A daemon that stops first loses those bytes:
// the restored actor fetches the blob again.
import { existsSync } from 'node:fs';
import { chmod, copyFile, link, open, rm, stat, unlink } from 'node:fs/promises';
import { freemem } from 'node:os';
import { dirname, join } from 'node:path';
import { fromPromise } from 'xstate';
import { BerthError, deserializeError } from '../errors.js';
import { isStoringBlob, layerMachine, type CommitOutput, type LayerContext, type LayerInput, type TransferPlan, type UnpackOutput } from '../machines/layer.js';
import { parseReference } from '../image/reference.js';
import { layerDirName } from '../store/chain-id.js';
import { downloadBlobToFile } from '../registry/blob-download.js';
import { DEFAULT_IN_MEMORY_BLOB_MAX } from '../registry/registry-config.js';
import { addonHas, closeFd, memBudgetGive, memBudgetTake, memfdCreate, writeOutFile } from '../native/addon.js';
import { directApplies, directTransfer, type DirectOutcome } from './layer-direct.js';
import type { Credential } from '../registry/bearer-auth.js';
import { JournaledActor } from './journaled-actor.js';
import { imageServices, type ImageServices } from './image-services.js';
import type { ActorEnv, HostedActor } from './actor-env.js';
import type { ActorMessage } from '../workers/messages.js';
import type { StreamEvent } from '../protocol/frames.js';
import { fsyncDir } from '../util/atomic-file.js';
import { traceStart } from '../util/trace.js';
import { syncFilesystem } from '../util/sync-fs.js';

/** A blob is received into memory only while this many times its size is free. */
const STAGE_FREE_FACTOR = 8;
/** Blobs held in memory by the whole daemon at once: at most this many times in-memory-blob-max. */
const STAGE_TOTAL_FACTOR = 4;

/** The memory file an attempt's blob is received into; only this actor instance has it (a restarted daemon does not). */
interface Stage {
  attempt: number;
  /** -1 once closed */
  fd: number;
  /** taken from the daemon's budget of bytes held in memory, given back when closed */
  bytes: number;
  /** set once the bytes were moved to the download file (the transfer fell back to the general path) */
  toFile?: Promise<string>;
}

function closeStage(st: Stage): void {
  if (st.fd < 0) return;
  const fd = st.fd;
  st.fd = -1; // never closed twice: the number may belong to another file by then
  closeFd(fd);
  memBudgetGive(st.bytes);
}

/** The bytes of a staged transfer are gone (the daemon restarted): retryable, like a connection that was reset. */
function stageLost(c: LayerContext): BerthError {
  return new BerthError('io_error', `the download of blob ${c.blobDigest} held in memory was reset when the daemon restarted; fetching it again`);
}

class LayerActor implements HostedActor {
  private readonly journaled: JournaledActor<typeof layerMachine>;
  private readonly watchers = new Set<string>();
  private readonly svc: ImageServices;
  private readonly shortId: string;
  private credential: Credential | undefined;
  /** The one-task transfer of the current attempt, shared by the machine's download and unpack. */
  private direct: { attempt: number; outcome: Promise<DirectOutcome | null> } | undefined;
  private readonly trace: (phase: string) => void;
  private stage: Stage | undefined;
  /** The write-out of the staged blob, while it runs. */
  private writing: Promise<void> | undefined;

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
        storeBlob: fromPromise(({ input: c }: { input: LayerContext }) => this.storeBlob(c)),
      },
    });
    this.journaled = new JournaledActor(env, actorId, 'layer', machine, input, snapshot).start();
    // Restored holding a blob in memory: the daemon restarted, the bytes are gone and no pull will ask for them.
    const restored = (snapshot as { value?: unknown } | undefined)?.value;
    if (isStoringBlob(restored)) this.journaled.send({ type: 'STORE_BLOB' });
  }

  async handle(msg: ActorMessage): Promise<unknown> {
    if (msg.type === 'STORE_BLOB') {
      // from every pull of an image, also for layers that never held a blob or were done with it
      if (isStoringBlob(this.journaled.snapshot.value)) {
        this.trace('asked to store its blob');
        this.journaled.send({ type: 'STORE_BLOB' });
      }
      return null;
    }
    if (msg.type !== 'ENSURE') throw new BerthError('invalid_argument', `layer actor: unknown message ${msg.type}`);
    if (typeof msg.watcher === 'string') this.watchers.add(msg.watcher);
    const auth = msg.credential as Credential | undefined;
    if (!this.credential && auth && typeof auth.username === 'string' && typeof auth.password === 'string') this.credential = auth;
    // `until: 'transferred'` answers once the blob and tree are in and only the commit (flush, record) is left:
    // a pull's download slot is free then, and the commit overlaps the next transfer. That answer only frees a
    // slot (the pull asks again for the layer itself), so it does not wait for the journal's disk flush, which
    // takes long while layers are being flushed. An answer from a final state (failed, present) does wait: the
    // pull acts on it (fails, and its caller may collect garbage, which must see this actor's record gone).
    // While its blob is written to the content store (storingBlob) the layer is committed and can be used: only
    // `until: 'stored'` (whoever reads the blob) waits for that too.
    const transferred = msg.until === 'transferred';
    const onlyFreesSlot = (s: { value: unknown }) => transferred && s.value === 'committing';
    const usable = (s: { value: unknown }) => msg.until !== 'stored' && isStoringBlob(s.value);
    const s = await this.journaled.until((s) => s.status !== 'active' || onlyFreesSlot(s) || usable(s), (s) => !onlyFreesSlot(s));
    if (onlyFreesSlot(s)) return { chainId: s.context.chainId, transferred: true };
    if (s.value !== 'present' && !isStoringBlob(s.value)) {
      const e = s.context.error;
      throw new BerthError(e?.code ?? 'internal', e?.message ?? `layer ${s.context.chainId} failed`);
    }
    return { chainId: s.context.chainId, size: s.context.size };
  }

  stop(): void | Promise<void> {
    const s = this.journaled.snapshot;
    this.journaled.stop();
    // Holding its blob for storingBlob (the daemon is stopping): written out now rather than fetched again after the
    // restart. The restored actor then finds it stored (nothing is journaled meanwhile: stopping is not a transition).
    if (isStoringBlob(s.value) && this.stagedBytes(s.context)) {
      return this.writeOut(s.context).catch(() => this.dropStage());
    }
    // A transfer still running opens the memory file by its number: close it only once that transfer is over.
    const st = this.stage;
    this.stage = undefined;
    if (st) void (this.direct?.outcome ?? Promise.resolve()).catch(() => undefined).finally(() => closeStage(st));
  }

  /** Closes the memory file of a staged transfer (its bytes are then gone). */
  private dropStage(): void {
    if (this.stage) closeStage(this.stage);
    this.stage = undefined;
  }

  /** Receives this transfer's blob into memory when allowed (size, free memory, the daemon's budget, the fast path); the stage or undefined. */
  private tryStage(c: LayerContext): Stage | undefined {
    const max = this.env.config.registry?.inMemoryBlobMax ?? DEFAULT_IN_MEMORY_BLOB_MAX;
    if (c.blobSize > max || freemem() < STAGE_FREE_FACTOR * c.blobSize || !addonHas('memBudgetTake') || !directApplies(this.svc, c, this.credential)) return undefined;
    if (!memBudgetTake(c.blobSize, STAGE_TOTAL_FACTOR * max)) return undefined;
    try {
      return { attempt: c.attempt, fd: memfdCreate(`berth-blob-${this.shortId}`), bytes: c.blobSize };
    } catch {
      memBudgetGive(c.blobSize);
      return undefined;
    }
  }

  /**
   * Where this attempt's bytes are: in the download file (the plan is not staged), in the memory file
   * (`memory`), moved from it to the download file (`moved`: the transfer fell back to the general path),
   * or gone (`lost`: the memory file belonged to another attempt, or to the daemon before a restart).
   */
  private bytesAt(c: LayerContext): { at: 'file' } | { at: 'lost' } | { at: 'memory'; stage: Stage } | { at: 'moved'; stage: Stage } {
    if (!c.plan?.staged) return { at: 'file' };
    const st = this.stage;
    if (st?.attempt !== c.attempt) return { at: 'lost' };
    return st.toFile ? { at: 'moved', stage: st } : { at: 'memory', stage: st };
  }

  /** Whether this attempt's bytes are held in its memory file. */
  private stagedBytes(c: LayerContext): boolean {
    return this.bytesAt(c).at === 'memory';
  }

  /** Where this attempt's bytes are written: the memory file of a staged plan, else the download file; throws when they are gone. */
  private bytesTarget(c: LayerContext): { path: string; memoryFile: boolean } {
    const b = this.bytesAt(c);
    if (b.at === 'lost') throw stageLost(c);
    return b.at === 'memory' ? { path: `/proc/self/fd/${b.stage.fd}`, memoryFile: true } : { path: c.plan!.ingestPath!, memoryFile: false };
  }

  /** For the general path: a staged attempt's bytes (those received so far) move to the download file, once. */
  private onFile(c: LayerContext): Promise<string> {
    const ingest = c.plan!.ingestPath!;
    const b = this.bytesAt(c);
    if (b.at === 'file') return Promise.resolve(ingest);
    if (b.at === 'lost') return Promise.reject(stageLost(c));
    const st = b.stage;
    // copyFile gives the copy the memory file's mode (0777): a blob is 0644
    st.toFile ??= copyFile(`/proc/self/fd/${st.fd}`, ingest).then(() => chmod(ingest, 0o644)).then(() => {
      closeStage(st);
      return ingest;
    });
    return st.toFile;
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
    this.dropStage();
    await rm(this.svc.layerDir(c.chainId), { recursive: true, force: true });
    const ingestPath = this.partialPath(c);
    if (await this.svc.content.has(c.blobDigest)) {
      await rm(ingestPath, { force: true }); // a finished download whose removal a crash prevented
      return { ingestPath: null };
    }
    if (!c.sourceRef) throw new BerthError('not_found', `layer blob ${c.blobDigest} is not in the content store and has no registry to fetch it from`);
    if (c.attempt > 1) await rm(ingestPath, { force: true }); // a retry follows a rejected blob: start afresh
    const left = await stat(ingestPath).then((st) => st.size, () => 0); // by a download a daemon crash cut short: resumed from
    this.stage = left === 0 ? this.tryStage(c) : undefined;
    if (this.stage) {
      this.trace('prepared');
      return { ingestPath, staged: true };
    }
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
      let outcome: Promise<DirectOutcome | null>;
      try {
        outcome = directTransfer(this.env, this.svc, c, this.bytesTarget(c), this.credential, (status, cur) => this.progress(status, cur, c.blobSize));
      } catch (err) {
        outcome = Promise.reject(err);
      }
      this.direct = { attempt: c.attempt, outcome };
    }
    return this.direct.outcome;
  }

  private async download(c: LayerContext): Promise<void> {
    if (!c.plan?.ingestPath) return;
    const direct = await this.directOutcome(c);
    if (direct) {
      if (direct.blobError) {
        if (c.plan.staged) this.dropStage();
        else await unlink(c.plan.ingestPath).catch(() => undefined);
        throw deserializeError(direct.blobError);
      }
      this.progress('Download complete');
      this.trace('downloaded');
      return;
    }
    const ingest = await this.onFile(c);
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
    const direct = c.plan?.ingestPath ? await this.directOutcome(c) : null;
    if (direct) {
      if (direct.treeError) throw deserializeError(direct.treeError);
      this.trace('unpacked');
      return { size: direct.size ?? 0 };
    }
    const ingest = c.plan?.ingestPath ? await this.onFile(c) : null;
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
      if (this.stagedBytes(c)) await this.writeOut(c);
      else {
        await syncFilesystem(this.svc.content.ingestDir);
        await this.publishBlob(c);
      }
    }
    this.dropStage();
    await rm(ingest, { force: true });
  }

  /** Writes a staged blob from its memory file to the download file, makes it durable and publishes it; once at a time (storingBlob and a stopping daemon may both ask). */
  private writeOut(c: LayerContext): Promise<void> {
    this.writing ??= this.writeOutOnce(c).finally(() => { this.writing = undefined; });
    return this.writing;
  }

  private async writeOutOnce(c: LayerContext): Promise<void> {
    const st = this.stage!;
    const ingest = c.plan!.ingestPath!;
    await writeOutFile(st.fd, ingest);
    await this.publishBlob(c);
    await rm(ingest, { force: true });
    this.dropStage();
  }

  /**
   * The storingBlob state: writes a staged blob out of memory into the content store; when its bytes are gone
   * (the daemon restarted since), fetches it again. The layer's record says `blobPending` until this ends,
   * either way (a blob that could not be stored is missing, as one a layer shared with another image never had).
   */
  private async storeBlob(c: LayerContext): Promise<void> {
    try {
      if (await this.svc.content.has(c.blobDigest)) return;
      if (this.stagedBytes(c)) await this.writeOut(c);
      else await this.fetchAgain(c);
      this.trace('blob stored');
    } catch (err) {
      this.trace(`blob not stored: ${(err as Error).message}`);
      throw err;
    } finally {
      this.dropStage();
      const rec = this.env.db.layers.get(c.chainId);
      if (rec?.blobPending) await this.env.db.layers.put(c.chainId, { ...rec, blobPending: false });
    }
  }

  /** Downloads the blob alone (the layer is unpacked already) into a fresh download file (what a write-out a crash cut short left there was never flushed), then stores it. */
  private async fetchAgain(c: LayerContext): Promise<void> {
    const ingest = c.plan?.ingestPath;
    if (!ingest || !c.sourceRef) throw new BerthError('not_found', `blob ${c.blobDigest} was lost before it was stored and there is no registry to fetch it from`);
    this.trace('fetching the blob again');
    const fh = await open(ingest, 'w+', 0o644);
    try {
      await downloadBlobToFile(this.svc.registry, parseReference(c.sourceRef), { digest: c.blobDigest, size: c.blobSize, urls: c.urls }, fh.fd, { credential: this.credential, resumeFrom: 0, path: ingest });
      await fh.datasync();
    } catch (err) {
      await fh.close().catch(() => undefined);
      await rm(ingest, { force: true });
      throw err;
    }
    await fh.close();
    await this.publishBlob(c);
    await rm(ingest, { force: true });
  }

  /** Flushes the filesystem of the layer and, when the blob is in a download file on another one, that one too. */
  private async flush(c: LayerContext, blobOnDisk: boolean): Promise<void> {
    const layers = dirname(this.svc.layerDir(c.chainId));
    if (!blobOnDisk) return syncFilesystem(layers);
    const [a, b] = await Promise.all([stat(this.svc.content.ingestDir), stat(layers)]);
    await Promise.all([syncFilesystem(this.svc.content.ingestDir), a.dev === b.dev ? undefined : syncFilesystem(layers)]);
  }

  /**
   * One flush of the filesystem makes both the blob and the unpacked layer
   * durable (layers finishing together share it), then the blob is
   * published and the layer recorded: after a crash no record points at
   * half-written data.
   */
  private async commit(c: LayerContext): Promise<CommitOutput> {
    // A staged blob (in memory, or lost with a restarted daemon) is stored after the commit, in storingBlob.
    const at = this.bytesAt(c).at;
    const blobOnDisk = c.plan?.ingestPath != null && (at === 'file' || at === 'moved');
    try {
      await this.flush(c, blobOnDisk);
      if (blobOnDisk) {
        await this.publishBlob(c);
        // The blob is stored: its download file goes before the record, so a crash in between leaves nothing behind.
        await rm(c.plan!.ingestPath!, { force: true });
      }
      this.trace('synced');
      await this.env.db.layers.put(c.chainId, {
        chainId: c.chainId,
        diffId: c.diffId,
        blobDigest: c.blobDigest,
        path: this.svc.layerDir(c.chainId),
        size: c.size ?? 0,
        committedAt: new Date().toISOString(),
        ...(c.plan?.staged ? { blobPending: true } : {}),
      });
    } finally {
      if (blobOnDisk) await rm(c.plan!.ingestPath!, { force: true });
    }
    this.progress('Pull complete');
    this.trace('committed');
    return { blobHeld: this.stagedBytes(c) };
  }
}

export function createLayerActor(env: ActorEnv, actorId: string, input: unknown, snapshot?: unknown): HostedActor {
  return new LayerActor(env, actorId, input as LayerInput, snapshot);
}
