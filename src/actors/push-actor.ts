// Hosts one push's machine: plans from the stored manifest, then makes each
// blob present in the target repository (HEAD, else a cross-repository
// mount, else an upload; max-concurrent-downloads at a time), then PUTs the
// manifest. The credential arrives with RUN and stays in memory only.
import { fromCallback, fromPromise } from 'xstate';
import { BerthError, serializeError } from '../errors.js';
import { pushMachine, type PushContext, type PushEvent, type PushInput, type PushPlan } from '../machines/push.js';
import { parseManifest } from '../image/manifest.js';
import { parseReference, type ImageReference } from '../image/reference.js';
import { blobExists, mountBlob, putManifest, uploadBlob, type PushTarget } from '../registry/push.js';
import type { Credential } from '../registry/bearer-auth.js';
import { JournaledActor } from './journaled-actor.js';
import { imageServices, type ImageServices } from './image-services.js';
import type { ActorEnv, HostedActor } from './actor-env.js';
import type { ActorMessage } from '../workers/messages.js';
import { waitForPendingBlobs } from '../store/pending-blobs.js';

class PushActor implements HostedActor {
  private readonly journaled: JournaledActor<typeof pushMachine>;
  private readonly svc: ImageServices;
  private credential: Credential | undefined;
  private gotRun!: () => void;
  private readonly running = new Promise<void>((resolve) => { this.gotRun = resolve; });

  constructor(private readonly env: ActorEnv, readonly actorId: string, input: PushInput, snapshot?: unknown) {
    this.svc = imageServices(env);
    const machine = pushMachine.provide({
      actors: {
        planPush: fromPromise<PushPlan, PushInput>(async ({ input: i }) => {
          await this.running;
          return this.plan(i);
        }),
        uploadBlobs: fromCallback<PushEvent, PushContext>(({ input: ctx, sendBack }) => {
          this.uploadAll(ctx, (digest) => sendBack({ type: 'BLOB_DONE', digest })).then(
            () => sendBack({ type: 'BLOBS_READY' }),
            (err) => sendBack({ type: 'BLOBS_FAILED', error: serializeError(err) }),
          );
        }),
        putManifest: fromPromise<string, PushContext>(({ input: ctx }) => this.tag(ctx)),
      },
    });
    this.journaled = new JournaledActor(env, actorId, 'push', machine, input, snapshot).start();
  }

  async handle(msg: ActorMessage): Promise<unknown> {
    if (msg.type !== 'RUN') throw new BerthError('invalid_argument', `push actor: unknown message ${msg.type}`);
    const c = msg.credential as Credential | undefined;
    if (c && typeof c.username === 'string' && typeof c.password === 'string') this.credential = { username: c.username, password: c.password };
    this.gotRun();
    const s = await this.journaled.until((s) => s.status !== 'active');
    const ctx = s.context;
    if (s.value !== 'done' || !ctx.plan) throw new BerthError(ctx.error?.code ?? 'internal', ctx.error?.message ?? `push of ${ctx.ref} failed`);
    return { ref: ctx.ref, digest: ctx.pushedDigest ?? ctx.manifestDigest, size: ctx.plan.size };
  }

  stop(): void {
    this.journaled.stop();
  }

  private target(ref: string): PushTarget {
    return { client: this.svc.registry, ref: parseReference(ref), credential: this.credential };
  }

  private progress(digest: string, status: string, current?: number, total?: number): void {
    this.env.notify(this.actorId, { kind: 'progress', id: digest.slice(7, 19), status, current, total });
  }

  private async plan(i: PushInput): Promise<PushPlan> {
    const bytes = await this.svc.content.readBytes(i.manifestDigest);
    const parsed = parseManifest(bytes);
    if (parsed.kind !== 'manifest') throw new BerthError('invalid_argument', `${i.ref}: the stored manifest ${i.manifestDigest} is an index; push a single-platform image`);
    const m = parsed.manifest;
    const blobs = [...m.layers, m.config].map((d) => ({ digest: d.digest, size: d.size, mediaType: d.mediaType, done: false }));
    await waitForPendingBlobs(this.env.db, blobs.map((b) => b.digest)); // a pull just made may still be writing them
    for (const b of blobs) {
      if (!(await this.svc.content.has(b.digest))) await this.fetchMissing(i, b);
    }
    return { mediaType: parsed.mediaType, size: bytes.length, blobs };
  }

  /** A layer shared with another image may have been unpacked from another blob: fetch this one from where the image came from. */
  private async fetchMissing(i: PushInput, b: { digest: string; size: number }): Promise<void> {
    let last: unknown;
    for (const source of i.sources ?? []) {
      try {
        await this.svc.registry.fetchBlob(parseReference(source), b, (s) => this.svc.content.ingestStream(s, b), { credential: this.credential });
        return;
      } catch (err) {
        last = err;
      }
    }
    const why = last instanceof Error ? ` (${last.message})` : '';
    throw new BerthError('not_found', `${i.ref}: blob ${b.digest} is not in the local store and could not be fetched from the image's source${why}; pull the image again to push it`);
  }

  private async pushBlob(ctx: PushContext, b: { digest: string; size: number }): Promise<void> {
    const t = this.target(ctx.ref);
    if (await blobExists(t, b.digest)) {
      this.progress(b.digest, 'Layer already exists');
      return;
    }
    let uploadUrl: string | undefined;
    for (const from of ctx.mountFrom) {
      const r = await mountBlob(t, b.digest, from).catch(() => undefined);
      if (r === true) {
        this.progress(b.digest, `Mounted from ${from}`);
        return;
      }
      if (typeof r === 'string') uploadUrl = r;
    }
    this.progress(b.digest, 'Pushing', 0, b.size);
    let reported = 0;
    await uploadBlob(t, b, this.svc.content.path(b.digest), (n) => {
      if (n - reported >= 512 * 1024 || n === b.size) {
        reported = n;
        this.progress(b.digest, 'Pushing', n, b.size);
      }
    }, uploadUrl);
    this.progress(b.digest, 'Pushed');
  }

  private async uploadAll(ctx: PushContext, onDone: (digest: string) => void): Promise<void> {
    const queue = (ctx.plan?.blobs ?? []).filter((b) => !b.done);
    for (const b of queue) this.progress(b.digest, 'Preparing');
    const worker = async () => {
      for (let b = queue.shift(); b; b = queue.shift()) {
        await this.pushBlob(ctx, b);
        onDone(b.digest);
      }
    };
    const limit = this.env.config.registry?.maxConcurrentDownloads ?? 3;
    await Promise.all(Array.from({ length: Math.min(limit, queue.length) }, worker));
  }

  private async tag(ctx: PushContext): Promise<string> {
    const ref: ImageReference = parseReference(ctx.ref);
    const bytes = await this.svc.content.readBytes(ctx.manifestDigest);
    const reported = await putManifest(this.target(ctx.ref), ref.tag ?? ctx.manifestDigest, bytes, ctx.plan!.mediaType);
    if (reported && reported !== ctx.manifestDigest) {
      throw new BerthError('registry_error', `registry stored the manifest of ${ctx.ref} as ${reported}, not ${ctx.manifestDigest}`);
    }
    return ctx.manifestDigest;
  }
}

export function createPushActor(env: ActorEnv, actorId: string, input: unknown, snapshot?: unknown): HostedActor {
  return new PushActor(env, actorId, input as PushInput, snapshot);
}
