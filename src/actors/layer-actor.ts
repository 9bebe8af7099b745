// Hosts one layer's machine: reuse or download the blob (verified while
// streaming into the content store), unpack it on the piscina pool into its
// own directory, and record it. Every pull that needs the layer waits on the
// same actor, so a layer shared by concurrent pulls is fetched once.
import { rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { Transform } from 'node:stream';
import { fromPromise } from 'xstate';
import { BerthError } from '../errors.js';
import { layerMachine, type LayerContext, type LayerInput, type UnpackOutput } from '../machines/layer.js';
import { parseReference } from '../image/reference.js';
import { JournaledActor } from './journaled-actor.js';
import { imageServices, type ImageServices } from './image-services.js';
import type { ActorEnv, HostedActor } from './actor-env.js';
import type { ActorMessage } from '../workers/messages.js';
import type { StreamEvent } from '../protocol/frames.js';

class LayerActor implements HostedActor {
  private readonly journaled: JournaledActor<typeof layerMachine>;
  private readonly watchers = new Set<string>();
  private readonly svc: ImageServices;
  private readonly shortId: string;

  constructor(private readonly env: ActorEnv, readonly actorId: string, input: LayerInput, snapshot?: unknown) {
    this.svc = imageServices(env);
    this.shortId = input.blobDigest.slice(7, 19);
    const machine = layerMachine.provide({
      actors: {
        checkLayer: fromPromise(({ input: i }: { input: LayerInput }) => this.check(i)),
        downloadBlob: fromPromise(({ input: i }: { input: LayerInput }) => this.download(i)),
        unpackLayer: fromPromise(({ input: i }: { input: LayerInput }) => this.unpack(i)),
        commitLayer: fromPromise(({ input: c }: { input: LayerContext }) => this.commit(c)),
      },
    });
    this.journaled = new JournaledActor(env, actorId, 'layer', machine, input, snapshot).start();
  }

  async handle(msg: ActorMessage): Promise<unknown> {
    if (msg.type !== 'ENSURE') throw new BerthError('invalid_argument', `layer actor: unknown message ${msg.type}`);
    if (typeof msg.watcher === 'string') this.watchers.add(msg.watcher);
    const s = await this.journaled.until((s) => s.status !== 'active');
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

  private async check(i: LayerInput): Promise<{ present: boolean; size: number | null }> {
    const rec = this.env.db.layers.get(i.chainId);
    if (rec && existsSync(rec.path)) {
      this.progress('Already exists');
      return { present: true, size: rec.size };
    }
    this.progress('Pulling fs layer');
    return { present: false, size: null };
  }

  private async download(i: LayerInput): Promise<void> {
    if (await this.svc.content.has(i.blobDigest)) return;
    if (!i.sourceRef) throw new BerthError('not_found', `layer blob ${i.blobDigest} is not in the content store and has no registry to fetch it from`);
    const ref = parseReference(i.sourceRef);
    let seen = 0;
    let reported = 0;
    const counter = new Transform({
      transform: (chunk: Buffer, _enc, cb) => {
        seen += chunk.length;
        if (seen - reported >= 512 * 1024 || seen === i.blobSize) {
          reported = seen;
          this.progress('Downloading', seen, i.blobSize);
        }
        cb(null, chunk);
      },
    });
    const desc = { digest: i.blobDigest, size: i.blobSize };
    await this.svc.registry.fetchBlob(ref, desc, (stream) => this.svc.content.ingestStream(stream.pipe(counter), desc));
    this.progress('Download complete');
  }

  private async unpack(i: LayerInput): Promise<UnpackOutput> {
    this.progress('Extracting');
    const target = this.svc.layerDir(i.chainId);
    await rm(target, { recursive: true, force: true });
    const out = await this.env.runTask<{ diffId: string; size: number }>('unpackLayer', {
      blobPath: this.svc.content.path(i.blobDigest),
      mediaType: i.mediaType,
      target,
      expectedDiffId: i.diffId,
    });
    return { size: out.size };
  }

  private async commit(c: LayerContext): Promise<void> {
    await this.env.db.layers.put(c.chainId, {
      chainId: c.chainId,
      diffId: c.diffId,
      blobDigest: c.blobDigest,
      path: this.svc.layerDir(c.chainId),
      size: c.size ?? 0,
      committedAt: new Date().toISOString(),
    });
    this.progress('Pull complete');
  }
}

export function createLayerActor(env: ActorEnv, actorId: string, input: unknown, snapshot?: unknown): HostedActor {
  return new LayerActor(env, actorId, input as LayerInput, snapshot);
}
