// Containers, as the daemon's local service: create and run through the
// container actors, list from their persisted snapshots, logs from the files.
import { randomBytes } from 'node:crypto';
import { BerthError } from '../errors.js';
import { containerActorId } from '../actors/container-actor.js';
import { buildRunSpec } from '../runtime/container-config.js';
import { containerPaths } from '../runtime/paths.js';
import { dockerState, type ContainerInput } from '../machines/container.js';
import { readLogFile } from '../logs/log-records.js';
import { findContainerId, findImage } from './lookup.js';
import { releaseName, reserveName, validateName } from './names.js';
import { statusText } from './status-text.js';
import { traceStart } from '../util/trace.js';
import { familiarName, parseReference } from '../image/reference.js';
import type { ActorRouter } from '../workers/router.js';
import type { MetadataDb } from '../store/db.js';
import type { ContainerSummary, RunParams, RunResult } from '../protocol/methods.js';
import type { CallContext } from '../daemon/call-context.js';
import type { ImageService } from './image-service.js';

interface PersistedContainer { value: unknown; context: ContainerInput & { exitCode: number | null; startedAt: string | null; finishedAt: string | null } }

export class ContainerService {
  constructor(
    private readonly db: MetadataDb,
    private readonly router: ActorRouter,
    private readonly images: ImageService,
    private readonly paths: { root: string; execRoot: string },
  ) {}

  async run(p: RunParams, call: CallContext): Promise<RunResult> {
    const trace = traceStart('run');
    const t0 = performance.now();
    const id = await this.create(p, call);
    trace('created');
    call.emit({ kind: 'container-id', id });
    const actorId = containerActorId(id);
    if (p.detach) {
      await this.router.ask(actorId, { type: 'START' });
      return { id };
    }
    const unsubscribe = this.router.subscribe(actorId, (ev) => call.emit(ev));
    // The CLI cancels on Ctrl-C: pass the interrupt on to the container, as
    // Docker's signal proxy does; the call still ends with the exit code.
    const onCancel = () => {
      if (call.signal.reason === 'cancel') void this.router.ask(actorId, { type: 'KILL', signal: 2 }).catch(() => {});
    };
    call.signal.addEventListener('abort', onCancel, { once: true });
    try {
      await this.router.ask(actorId, { type: 'START' });
      trace('started');
      const r = await this.router.ask<{ exitCode: number | null; externalMs?: number }>(actorId, { type: 'WAIT', condition: p.autoRemove ? 'removed' : 'exited' });
      trace(`waited; daemon share ${(performance.now() - t0 - (r.externalMs ?? 0)).toFixed(2)}ms`);
      return { id, exitCode: r.exitCode ?? 0 };
    } finally {
      call.signal.removeEventListener('abort', onCancel);
      unsubscribe();
    }
  }

  async create(p: RunParams, call: CallContext): Promise<string> {
    if (typeof p.image !== 'string' || p.image === '') throw new BerthError('invalid_argument', 'no image given: berth run [OPTIONS] IMAGE [COMMAND] [ARG...]');
    let image = findImage(this.db, p.image);
    if (!image) {
      const ref = parseReference(p.image);
      call.emit({ kind: 'status', message: `Unable to find image '${familiarName(ref)}' locally` });
      await this.images.pull(p.image, call);
      image = findImage(this.db, p.image);
      if (!image) throw new BerthError('not_found', `image ${p.image} was pulled but cannot be found`);
    }
    const lowerDirs = image.layers
      .map((l) => {
        const rec = this.db.layers.get(l.chainId);
        if (!rec) throw new BerthError('not_found', `layer ${l.chainId} of image ${p.image} is missing; pull the image again`);
        return rec.path;
      })
      .reverse();
    const id = randomBytes(32).toString('hex');
    const spec = buildRunSpec(image.config, { cmd: p.cmd, entrypoint: p.entrypoint, env: p.env, workdir: p.workdir, autoRemove: p.autoRemove }, id.slice(0, 12), lowerDirs);
    const name = await reserveName(this.db, id, p.name !== undefined ? validateName(p.name) : undefined);
    const input: ContainerInput = { id, name, image: p.image, imageId: image.id, createdAt: new Date().toISOString(), spec };
    try {
      await this.router.ask(containerActorId(id), { type: 'CREATE' }, { kind: 'container', input });
    } catch (err) {
      await releaseName(this.db, name, id);
      throw err;
    }
    return id;
  }

  list(all: boolean): ContainerSummary[] {
    const out: ContainerSummary[] = [];
    for (const { value } of this.db.actors.getRange({ start: 'container/', end: 'container0' })) {
      const snap = value.snapshot as PersistedContainer;
      const c = snap.context;
      const state = dockerState(snap.value);
      if (!all && state !== 'running') continue;
      out.push({
        id: c.id,
        name: c.name,
        image: c.image,
        command: c.spec.args.join(' '),
        created: c.createdAt,
        state,
        status: statusText(state, c.exitCode, c.startedAt, c.finishedAt),
        exitCode: c.exitCode,
        startedAt: c.startedAt,
        finishedAt: c.finishedAt,
      });
    }
    return out.sort((a, b) => b.created.localeCompare(a.created));
  }

  async stop(ref: string, timeout: number | undefined): Promise<{ id: string }> {
    const id = findContainerId(this.db, ref);
    await this.router.ask(containerActorId(id), { type: 'STOP', timeout: timeout ?? 10 });
    return { id };
  }

  async remove(ref: string, force: boolean): Promise<{ id: string }> {
    const id = findContainerId(this.db, ref);
    await this.router.ask(containerActorId(id), { type: 'REMOVE', force });
    return { id };
  }

  async logs(ref: string, call: CallContext): Promise<null> {
    const id = findContainerId(this.db, ref);
    const { log } = containerPaths(this.paths.root, this.paths.execRoot, id);
    for await (const rec of readLogFile(log)) {
      if (call.signal.aborted) break;
      call.emit({ kind: 'output', stream: rec.stream, data: rec.data });
    }
    return null;
  }
}
