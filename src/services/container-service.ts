// Containers, as the daemon's local service: each request becomes a message
// to the container's actor; listings read the actors' persisted snapshots;
// logs read the shim's files.
import { randomBytes } from 'node:crypto';
import { hostname as osHostname } from 'node:os';
import { BerthError, deserializeError, type SerializedError } from '../errors.js';
import { containerActorId } from '../actors/container-actor.js';
import { buildRunSpec } from '../runtime/container-config.js';
import { parseRestartPolicy } from '../machines/restart-policy.js';
import type { HostOptions } from '../runtime/host-options.js';
import { containerPaths } from '../runtime/paths.js';
import { type ContainerContext, type ContainerInput } from '../machines/container.js';
import { containerSummary } from '../views/container-view.js';
import { findContainerId } from './lookup.js';
import { pickName, validateName } from './names.js';
import { checkFilters, matchesFilters, type Row } from './container-filters.js';
import { logSize, streamLogs } from './container-logs.js';
import { pruneFilter } from './prune-filters.js';
import { dirSize } from '../util/dir-size.js';
import { traceStart } from '../util/trace.js';
import type { ActorRouter } from '../workers/router.js';
import type { MetadataDb } from '../store/db.js';
import type { RunParams, RunResult } from '../protocol/methods.js';
import type { ContainerListParams, CreateParams, LogsParams, StatsSample, TopResult, WaitResult, ExecParams, ExecResult } from '../protocol/container-methods.js';
import { containerTop } from './container-top.js';
import { statsOnce, streamStats } from './container-stats-stream.js';
import { statsTargets } from './stats-targets.js';
import { execInContainer, resizeExec } from './container-exec.js';
import { dropCreated, resolveMounts } from './container-mounts.js';
import { removeAnonymousVolumes } from './volume-store.js';
import { checkEtcOptions, checkPublish, publishedPorts, resolveNetworkMode } from '../network/container-network.js';
import { imageForCreate } from './create-image.js';
import { exposedPorts, unpublished } from './exposed-ports.js';
import { containerEndpoints, networkNames } from '../network/container-endpoints.js';
import { portsView, withEndpoints } from '../views/container-network-view.js';
import { checkAgainstNetwork, resolveContainerRefs } from '../runtime/namespace-options.js';
import { resolveGroups } from '../runtime/user-lookup.js';
import type { CallContext } from '../daemon/call-context.js';
import type { ImageService } from './image-service.js';

interface PersistedContainer { value: unknown; context: ContainerContext }

export class ContainerService {
  constructor(
    private readonly db: MetadataDb,
    private readonly router: ActorRouter,
    private readonly images: ImageService,
    private readonly paths: { root: string; execRoot: string; shimPath: string; runtimePath: string; runtimeRoot: string },
  ) {}

  private ask<T = unknown>(id: string, msg: { type: string; [k: string]: unknown }): Promise<T> {
    return this.router.ask<T>(containerActorId(id), msg);
  }

  async run(p: RunParams, call: CallContext): Promise<RunResult> {
    const trace = traceStart('run');
    const t0 = performance.now();
    const id = randomBytes(32).toString('hex');
    // One message creates and starts the container (its actor journals both
    // in one commit); WAIT follows it at once, so the output subscription and
    // the wait are in place before the container runs. The subscription also
    // brings the `container-id` event, sent once the container can be found.
    if (p.detach) {
      await this.create(p, call, { id, start: true });
      call.emit({ kind: 'container-id', id });
      return { id };
    }
    const r = await this.attached(id, call, {
      interactive: p.openStdin === true,
      condition: p.autoRemove ? 'removed' : 'exited',
      begin: (postWait) => this.create(p, call, { id, start: true, posted: postWait }),
    });
    trace(`waited; daemon share ${(performance.now() - t0 - (r.externalMs ?? 0)).toFixed(2)}ms`);
    return { id, exitCode: r.exitCode };
  }

  /**
   * With `start`, the actor starts the container as soon as it exists and
   * the call resolves once it runs (or failed to start); `posted` runs right
   * after the request is on its way (again if a generated name is replaced).
   */
  async create(p: CreateParams, call: CallContext, o: { id?: string; start?: boolean; posted?: () => void } = {}): Promise<string> {
    if (typeof p.image !== 'string' || p.image === '') throw new BerthError('invalid_argument', 'no image given: berth run [OPTIONS] IMAGE [COMMAND] [ARG...]');
    const trace = traceStart('create');
    const image = await imageForCreate(this.db, this.paths.root, this.images, p, call);
    trace('image found');
    const lowerDirs = image.layers
      .map((l) => {
        const rec = this.db.layers.get(l.chainId);
        if (!rec) throw new BerthError('not_found', `layer ${l.chainId} of image ${p.image} is missing; pull the image again`);
        return rec.path;
      })
      .reverse();
    const id = o.id ?? randomBytes(32).toString('hex');
    // on the host's network a container is named like the host, as Docker's are
    const spec = buildRunSpec(image.config, p, p.network === 'host' ? osHostname() : id.slice(0, 12), lowerDirs);
    trace('spec built');
    const requested = p.name !== undefined ? validateName(p.name) : undefined;
    let name = pickName(this.db, requested);
    const volumes = { db: this.db, root: this.paths.root };
    let created: string[] = [];
    let startError: SerializedError | undefined;
    try {
      const resolved = await resolveMounts(volumes, { id: image.id, lowerDirs }, p.mounts);
      created = resolved.created;
      if (resolved.mounts.length > 0) spec.mounts = resolved.mounts;
      spec.network = await resolveNetworkMode(this.db, p, (ref) => findContainerId(this.db, ref));
      const exposed = await exposedPorts(this.paths.root, image.id, p);
      if (exposed.length > 0) spec.exposedPorts = exposed;
      const ports = checkPublish(spec.network, p.publish, p.publishAll ? unpublished(exposed, p.publish) : null);
      if (ports && spec.network) spec.network.ports = ports;
      const etc = checkEtcOptions(p, spec.network);
      if (etc) spec.etc = etc;
      if (spec.host) spec.host = this.resolveNamespaces(spec, p.hostname !== undefined && p.hostname !== '');
      trace('mounts resolved');
      // The actor claims the name in its creation commit; a generated name
      // another container took meanwhile is replaced.
      for (let attempt = 0; ; attempt++) {
        const input: ContainerInput = { id, name, image: p.image, imageId: image.id, createdAt: new Date().toISOString(), spec };
        try {
          const creating = this.router.ask<{ startError?: SerializedError }>(containerActorId(id), { type: 'CREATE', start: o.start === true }, { kind: 'container', input });
          o.posted?.();
          startError = (await creating).startError;
          break;
        } catch (err) {
          if (requested !== undefined || attempt >= 5 || !(err instanceof BerthError && err.code === 'conflict')) throw err;
          name = pickName(this.db, undefined);
        }
      }
      trace('actor created');
    } catch (err) {
      await dropCreated(volumes, created);
      throw err;
    }
    // created, but its start failed: the container stays (as Docker's does)
    if (startError) throw deserializeError(startError);
    return id;
  }

  /**
   * Streams a container's output to the caller (and the caller's upload to
   * its stdin) until it exits; with `start`, starts it after subscribing so
   * no output is missed. Ctrl-C in the CLI (a cancel) becomes SIGINT, as
   * Docker's signal proxy does; a disconnect leaves the container running.
   */
  private async attached(
    id: string,
    call: CallContext,
    o: {
      interactive: boolean;
      condition: 'exited' | 'removed' | 'next-exit';
      /** 'start': send START; a function: creates (and starts) the container, calling postWait once its actor is asked to exist */
      begin: 'start' | 'none' | ((postWait: () => void) => Promise<unknown>);
    },
  ): Promise<WaitResult & { externalMs?: number }> {
    const actorId = containerActorId(id);
    const unsubscribe = this.router.subscribe(actorId, (ev) => call.emit(ev));
    const onCancel = () => {
      if (call.signal.reason === 'cancel') void this.ask(id, { type: 'KILL', signal: 2 }).catch(() => {});
    };
    call.signal.addEventListener('abort', onCancel, { once: true });
    try {
      let waiting: Promise<WaitResult & { externalMs?: number }> | undefined;
      const postWait = () => {
        waiting = this.ask<WaitResult & { externalMs?: number }>(id, { type: 'WAIT', condition: o.condition });
        waiting.catch(() => {}); // a creation that fails reports its own error
      };
      if (typeof o.begin === 'function') {
        await o.begin(postWait);
      } else {
        postWait();
        if (o.begin === 'start') await this.ask(id, { type: 'START' });
      }
      if (o.interactive) void this.pumpStdin(id, call);
      return await waiting!;
    } finally {
      call.signal.removeEventListener('abort', onCancel);
      unsubscribe();
    }
  }

  private async pumpStdin(id: string, call: CallContext): Promise<void> {
    try {
      for await (const chunk of call.upload()) await this.ask(id, { type: 'STDIN', data: chunk });
      await this.ask(id, { type: 'STDIN', data: null });
    } catch {
      /* the container exited or the client went away */
    }
  }

  async start(ref: string, attach: boolean, interactive: boolean, call: CallContext): Promise<{ id: string; exitCode?: number }> {
    const id = findContainerId(this.db, ref);
    if (!attach) {
      await this.ask(id, { type: 'START' });
      return { id };
    }
    const r = await this.attached(id, call, { interactive, condition: 'next-exit', begin: 'start' });
    return { id, exitCode: r.exitCode };
  }

  /** With `beforeStart` (Docker's API: attach, then start), a created container is attached to and followed through its next run. */
  async attach(ref: string, stdin: boolean, call: CallContext, beforeStart = false): Promise<{ exitCode?: number }> {
    const id = findContainerId(this.db, ref);
    const s = await this.ask<Row>(id, { type: 'SUMMARY' });
    const created = beforeStart && s.state === 'created';
    if (s.state !== 'running' && s.state !== 'paused' && !created) throw new BerthError('conflict', 'You cannot attach to a stopped container, start it first');
    const r = await this.attached(id, call, { interactive: stdin, condition: created ? 'next-exit' : 'exited', begin: 'none' });
    return { exitCode: r.exitCode };
  }

  async wait(ref: string, condition: 'not-running' | 'next-exit' | 'removed' | undefined): Promise<WaitResult> {
    const id = findContainerId(this.db, ref);
    const r = await this.ask<WaitResult>(id, { type: 'WAIT', condition: condition === 'not-running' ? 'exited' : condition });
    return { exitCode: r.exitCode, error: r.error };
  }

  list(p: ContainerListParams): Row[] {
    const filters = p.filters ?? {};
    checkFilters(filters);
    const rows: Row[] = [];
    const now = Date.now();
    for (const { value } of this.db.actors.getRange({ start: 'container/', end: 'container0' })) {
      const snap = value.snapshot as PersistedContainer;
      rows.push(containerSummary(snap.value, snap.context, now));
    }
    rows.sort((a, b) => b.created.localeCompare(a.created));
    const all = p.all === true || (p.limit !== undefined && p.limit > 0) || Object.hasOwn(filters, 'status') || Object.hasOwn(filters, 'exited');
    const shown = rows.filter((r) => (all || r.state === 'running' || r.state === 'paused' || r.state === 'restarting') && matchesFilters(r, filters));
    return p.limit !== undefined && p.limit > 0 ? shown.slice(0, p.limit) : shown;
  }

  async stop(ref: string, timeout: number | undefined): Promise<{ id: string }> {
    const id = findContainerId(this.db, ref);
    await this.ask(id, { type: 'STOP', timeout });
    return { id };
  }

  async restart(ref: string, timeout: number | undefined): Promise<{ id: string }> {
    const id = findContainerId(this.db, ref);
    await this.ask(id, { type: 'STOP', timeout });
    await this.ask(id, { type: 'START' });
    return { id };
  }

  async kill(ref: string, signal: string | undefined): Promise<{ id: string }> {
    const id = findContainerId(this.db, ref);
    await this.ask(id, { type: 'KILL', signal: signal ?? 'KILL' });
    return { id };
  }

  async pause(ref: string, pause: boolean): Promise<null> {
    const id = findContainerId(this.db, ref);
    await this.ask(id, { type: pause ? 'PAUSE' : 'UNPAUSE' });
    return null;
  }

  /** `berth update`: new limits for a container (applied at once when it runs) and/or a new restart policy. */
  async update(ref: string, host: HostOptions, restart: string | undefined): Promise<null> {
    const id = findContainerId(this.db, ref);
    await this.ask(id, { type: 'UPDATE', host, restartPolicy: restart !== undefined ? parseRestartPolicy(restart) : undefined });
    return null;
  }

  async rename(ref: string, name: string): Promise<null> {
    const id = findContainerId(this.db, ref);
    await this.ask(id, { type: 'RENAME', name: validateName(name) });
    return null;
  }

  /** Sizes the container's terminal, or with `execId` that exec's terminal. */
  async resize(ref: string, rows: number, cols: number, execId?: string): Promise<null> {
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1 || rows > 10000 || cols > 10000) {
      throw new BerthError('invalid_argument', `invalid terminal size ${rows}x${cols}`);
    }
    const id = findContainerId(this.db, ref);
    if (execId !== undefined) await resizeExec(this.paths.execRoot, id, execId, rows, cols);
    else await this.ask(id, { type: 'RESIZE', rows, cols });
    return null;
  }

  private async runningPid(ref: string): Promise<{ id: string; name: string; pid: number }> {
    const id = findContainerId(this.db, ref);
    // the actor's own document: the networking inspect adds (CNI cache reads) is not needed here
    const doc = await this.ask<Record<string, unknown>>(id, { type: 'INSPECT' });
    const state = doc.State as { Running: boolean; Pid: number };
    if (!state.Running || !state.Pid) throw new BerthError('conflict', `container ${id.slice(0, 12)} is not running`);
    return { id, name: String(doc.Name).replace(/^\//, ''), pid: state.Pid };
  }

  async top(ref: string): Promise<TopResult> {
    return containerTop((await this.runningPid(ref)).pid);
  }

  /** Samples of the named containers (stopped ones as zeros) or of every running one (`all`: every one); `call` streams a table a second. */
  async stats(ids: string[], all: boolean, call?: CallContext): Promise<StatsSample[]> {
    const list = statsTargets(this.db, ids, all);
    return call ? streamStats(list, call) : statsOnce(list);
  }

  async exec(p: ExecParams, call: CallContext): Promise<ExecResult> {
    const id = findContainerId(this.db, p.id);
    const row = await this.ask<Row>(id, { type: 'SUMMARY' });
    if (row.state === 'paused') throw new BerthError('conflict', `container ${id.slice(0, 12)} is paused, unpause the container before exec`);
    if (row.state !== 'running') throw new BerthError('conflict', `container ${id.slice(0, 12)} is not running`);
    const ctx = this.contextOf(id);
    if (!ctx) throw new BerthError('not_found', `No such container: ${id}`);
    return execInContainer({ ctx, ...this.paths }, p, call);
  }

  /** Docker's inspect document, with the ports published now and the endpoints on each network. */
  async inspect(ref: string): Promise<Record<string, unknown>> {
    const id = findContainerId(this.db, ref);
    const doc = await this.ask<Record<string, unknown>>(id, { type: 'INSPECT' });
    const ctx = this.contextOf(id);
    if (!ctx) return doc;
    const bindings = (doc.HostConfig as { PortBindings?: Record<string, unknown> } | undefined)?.PortBindings ?? {};
    const running = (doc.State as { Running?: boolean } | undefined)?.Running === true;
    const now = running && Object.keys(bindings).length > 0 ? await publishedPorts(this.paths.root, id) : [];
    doc.NetworkSettings = { ...(doc.NetworkSettings as object), Ports: portsView(bindings, now) };
    return withEndpoints(doc, await containerEndpoints(this.db, this.paths.root, ctx));
  }

  /** `ps`: list() with the ports each running container publishes and the networks each is on. */
  async listWithNetworking(p: ContainerListParams): Promise<Row[]> {
    return Promise.all(this.list(p).map(async (row) => {
      const ctx = this.contextOf(row.id);
      if (!ctx) return row;
      const ports = row.state === 'running' && (ctx.spec.network?.ports?.length ?? 0) > 0 ? await publishedPorts(this.paths.root, row.id) : [];
      return { ...row, ports, networks: networkNames(this.db, ctx) };
    }));
  }

  /** --pid container:NAME to an id, checked against the network; --group-add's groups into the user's. */
  private resolveNamespaces(spec: ContainerContext['spec'], hostnameGiven: boolean): HostOptions {
    const host = resolveContainerRefs(spec.host!, (ref) => findContainerId(this.db, ref));
    checkAgainstNetwork(host, spec.network?.mode, hostnameGiven);
    if (host.groupAdd?.length) {
      const gids = resolveGroups(host.groupAdd, spec.lowerDirs);
      spec.user = { ...spec.user, additionalGids: [...new Set([...(spec.user.additionalGids ?? []), ...gids])] };
    }
    return host;
  }

  private contextOf(id: string): ContainerContext | undefined {
    return (this.db.actors.get(containerActorId(id))?.snapshot as PersistedContainer | undefined)?.context;
  }

  /** With `volumes` (rm -v), the container's anonymous volumes go too. */
  async remove(ref: string, force: boolean, volumes = false): Promise<{ id: string }> {
    const id = findContainerId(this.db, ref);
    const ctx = (this.db.actors.get(containerActorId(id))?.snapshot as PersistedContainer | undefined)?.context;
    await this.ask(id, { type: 'REMOVE', force });
    if (volumes && ctx) await removeAnonymousVolumes(this.db, this.paths.root, ctx);
    return { id };
  }

  /** `berth port`: the container's published ports as they are now. */
  async ports(ref: string): Promise<{ hostIP: string; hostPort: number; containerPort: number; protocol: string }[]> {
    return publishedPorts(this.paths.root, findContainerId(this.db, ref));
  }

  async prune(filters?: Record<string, string[]>): Promise<{ deleted: string[]; spaceReclaimed: number }> {
    const wanted = pruneFilter(filters);
    const deleted: string[] = [];
    let spaceReclaimed = 0;
    for (const row of this.list({ all: true })) {
      if (row.state !== 'exited' && row.state !== 'created' && row.state !== 'dead') continue;
      if (!wanted(row)) continue;
      const paths = containerPaths(this.paths.root, this.paths.execRoot, row.id);
      const size = (await logSize(paths.log)) + (await dirSize(paths.upper));
      try {
        await this.ask(row.id, { type: 'REMOVE', force: false });
        deleted.push(row.id);
        spaceReclaimed += size;
      } catch {
        /* it started meanwhile */
      }
    }
    return { deleted, spaceReclaimed };
  }

  async logs(p: LogsParams, call: CallContext): Promise<null> {
    const id = findContainerId(this.db, p.id);
    const record = this.db.actors.get(containerActorId(id));
    const ctx = (record?.snapshot as PersistedContainer | undefined)?.context;
    const row = await this.ask<Row>(id, { type: 'SUMMARY' });
    const running = row.state === 'running' || row.state === 'paused' || row.state === 'restarting';
    return streamLogs(
      {
        path: containerPaths(this.paths.root, this.paths.execRoot, id).log,
        driver: ctx?.spec.logDriver ?? 'local',
        running,
        stopped: running ? this.ask(id, { type: 'WAIT', condition: 'exited' }) : Promise.resolve(),
      },
      p,
      call,
    );
  }
}
