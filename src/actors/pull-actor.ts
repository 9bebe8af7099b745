// Hosts one pull's machine: resolves the image, asks the shared layer actors
// to make every layer present (max-concurrent-downloads at a time, default
// 3), then commits the image record and its tag in one LMDB transaction.
// The registry credential arrives with the RUN message and lives only in
// memory: it is never part of the machine's input, context or journal.
import { traceStart } from '../util/trace.js';
import { fromCallback, fromPromise } from 'xstate';
import { BerthError, serializeError } from '../errors.js';
import { pullMachine, type PullContext, type PullEvent, type PullInput, type ResolvedImage } from '../machines/pull.js';
import { parseReference } from '../image/reference.js';
import { layerActorId } from './layer-id.js';
import { JournaledActor } from './journaled-actor.js';
import { imageServices, type ImageServices } from './image-services.js';
import { resolveImage } from './resolve-image.js';
import { commitImage } from './commit-image.js';
import type { LayerInput } from '../machines/layer.js';
import type { ActorEnv, HostedActor } from './actor-env.js';
import type { ActorMessage } from '../workers/messages.js';

import type { Credential } from '../registry/bearer-auth.js';

const DEFAULT_LAYER_CONCURRENCY = 3;

class PullActor implements HostedActor {
  private readonly journaled: JournaledActor<typeof pullMachine>;
  private credential: Credential | undefined;
  private readonly trace = traceStart('pull');
  private gotRun!: () => void;
  /** Settles when RUN (with the credential, if any) has arrived; it follows creation in the same turn. */
  private readonly running = new Promise<void>((resolve) => { this.gotRun = resolve; });
  /** The resolve step's content-store writes (manifest, config), which go on while the layers transfer. */
  private stored: Promise<void> | undefined;

  constructor(private readonly env: ActorEnv, readonly actorId: string, input: PullInput, snapshot?: unknown) {
    const svc = imageServices(env);
    const machine = pullMachine.provide({
      actors: {
        resolveImage: fromPromise<ResolvedImage, PullInput>(async ({ input: i }) => {
          await this.running;
          const r = await resolveImage(svc, i, this.credential);
          this.stored = r.stored;
          this.trace('resolved');
          return r.image;
        }),
        fetchLayers: fromCallback<PullEvent, PullContext>(({ input: ctx, sendBack }) => {
          this.fetchLayers(ctx, (chainId) => sendBack({ type: 'LAYER_DONE', chainId })).then(
            () => sendBack({ type: 'LAYERS_READY' }),
            (err) => sendBack({ type: 'LAYERS_FAILED', error: serializeError(err) }),
          );
        }),
        commitImage: fromPromise<void, PullContext>(async ({ input: ctx }) => {
          this.trace('layers ready');
          await this.contentStored(svc, ctx);
          await commitImage(env.db, ctx);
          this.trace('committed');
        }),
      },
    });
    this.journaled = new JournaledActor(env, actorId, 'pull', machine, input, snapshot).start();
  }

  async handle(msg: ActorMessage): Promise<unknown> {
    if (msg.type !== 'RUN') throw new BerthError('invalid_argument', `pull actor: unknown message ${msg.type}`);
    const c0 = msg.credential as Credential | undefined;
    if (c0 && typeof c0.username === 'string' && typeof c0.password === 'string') this.credential = { username: c0.username, password: c0.password };
    this.gotRun();
    const s = await this.journaled.until((s) => s.status !== 'active');
    const c = s.context;
    if (s.value !== 'done' || !c.image) {
      throw new BerthError(c.error?.code ?? 'internal', c.error?.message ?? `pull of ${c.ref} failed`);
    }
    // The image is published: layers holding their blobs in memory may write them now (see machines/layer.ts).
    for (const l of c.image.layers) void this.env.ask(layerActorId(l.chainId), { type: 'STORE_BLOB' }).catch(() => undefined);
    return { ref: c.ref, digest: c.image.manifestDigest, id: c.image.configDigest };
  }

  stop(): void {
    this.journaled.stop();
  }

  /** Manifest and config are stored before the image is: awaited here, or checked when this actor was rebuilt after resolving. */
  private async contentStored(svc: ImageServices, ctx: PullContext): Promise<void> {
    if (this.stored) return this.stored;
    const image = ctx.image!;
    for (const digest of [image.manifestDigest, image.configDigest]) {
      if (!(await svc.content.has(digest))) throw new BerthError('io_error', `${digest} of ${ctx.ref} was not stored before the pull was interrupted; pull the image again`);
    }
  }

  private async fetchLayers(ctx: PullContext, onLayerDone: (chainId: string) => void): Promise<void> {
    const image = ctx.image;
    if (!image) throw new BerthError('internal', 'fetchLayers before the image was resolved');
    const ref = parseReference(ctx.ref);
    const sourceRef = ctx.source === 'registry' ? `${ref.registry}/${ref.repository}` : null;
    const queue = image.layers.filter((l) => !l.done);
    // A slot is taken for a layer's transfer only: once its bytes are in, the layer's commit (a
    // filesystem flush, then its record) goes on while the slot takes the next layer.
    const commits: Promise<void>[] = [];
    let failedOne = false; // no new layer is started once one failed
    const stopOnFailure = (err: unknown): never => {
      failedOne = true;
      throw err;
    };
    const worker = async () => {
      for (let l = queue.shift(); l && !failedOne; l = queue.shift()) {
        const input: LayerInput = {
          chainId: l.chainId,
          diffId: l.diffId,
          blobDigest: l.blobDigest,
          blobSize: l.blobSize,
          mediaType: l.mediaType,
          sourceRef,
          urls: l.urls,
        };
        const id = layerActorId(l.chainId);
        const spawn = { kind: 'layer' as const, input };
        const msg = { type: 'ENSURE', watcher: this.actorId, ...(this.credential ? { credential: this.credential } : {}) };
        const chainId = l.chainId;
        await this.env.ask(id, { ...msg, until: 'transferred' }, spawn).catch(stopOnFailure);
        commits.push(this.env.ask(id, msg, spawn).then(() => onLayerDone(chainId), stopOnFailure));
      }
    };
    const limit = this.env.config.registry?.maxConcurrentDownloads ?? DEFAULT_LAYER_CONCURRENCY;
    const transfers = await Promise.allSettled(Array.from({ length: Math.min(limit, queue.length) }, worker));
    const settled = [...transfers, ...(await Promise.allSettled(commits))];
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

export function createPullActor(env: ActorEnv, actorId: string, input: unknown, snapshot?: unknown): HostedActor {
  return new PullActor(env, actorId, input as PullInput, snapshot);
}
