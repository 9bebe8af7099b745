// Hosts one container's machine and supplies its effects: writing the
// bundle, starting the shim, attaching to it, signalling, cleaning up.
// Decisions (what state comes next) stay in src/machines/container.ts.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { fromPromise } from 'xstate';
import { BerthError } from '../errors.js';
import { containerMachine, dockerState, type ContainerContext, type ContainerInput, type ExitOutput, type StartOutput } from '../machines/container.js';
import { buildOciSpec } from '../runtime/oci-spec.js';
import { containerPaths, type ContainerPaths } from '../runtime/paths.js';
import { launchShim } from '../runtime/shim-launcher.js';
import { AttachClient, type ExitRecord } from '../runtime/attach-client.js';
import { writeFileAtomic } from '../util/atomic-file.js';
import { isMountPoint } from '../util/mountinfo.js';
import { traceStart } from '../util/trace.js';
import { JournaledActor } from './journaled-actor.js';
import type { ActorEnv, HostedActor } from './actor-env.js';
import type { ActorMessage } from '../workers/messages.js';
import type { ContainerSummary } from '../protocol/methods.js';

/** How long to wait for a shim's cleanup after the exit before going on without it. */
const SHIM_CLEANUP_WAIT_MS = 10_000;

export function containerActorId(id: string): string {
  return `container/${id}`;
}

class ContainerActor implements HostedActor {
  private readonly journaled: JournaledActor<typeof containerMachine>;
  private attach: AttachClient | null = null;
  /** Time spent in the shim, runtime and container process since START, for the daemon-share trace. */
  private externalMs = 0;
  private startSentAt: number | null = null;
  private readonly paths: ContainerPaths;

  constructor(private readonly env: ActorEnv, readonly actorId: string, input: ContainerInput, snapshot?: unknown) {
    this.paths = containerPaths(env.config.root, env.config.execRoot, input.id);
    const machine = containerMachine.provide({
      actors: {
        startContainer: fromPromise<StartOutput, ContainerContext>(({ input: ctx }) => this.startContainer(ctx)),
        waitForExit: fromPromise<ExitOutput, ContainerContext>(() => this.waitForExit()),
        stopContainer: fromPromise<void, ContainerContext>(({ input: ctx }) => this.stopContainer(ctx.stopTimeout)),
        removeContainer: fromPromise<void, ContainerContext>(({ input: ctx }) => this.removeContainer(ctx)),
      },
    });
    this.journaled = new JournaledActor(env, actorId, 'container', machine, input, snapshot).start();
  }

  async handle(msg: ActorMessage): Promise<unknown> {
    const j = this.journaled;
    switch (msg.type) {
      case 'CREATE':
        await j.flushed();
        return this.summary();
      case 'START': {
        if (!j.snapshot.can({ type: 'START' })) {
          throw new BerthError('conflict', `container ${this.shortId} is ${dockerState(j.snapshot.value)}; it cannot be started now`);
        }
        j.send({ type: 'START' });
        const s = await j.until((s) => !s.matches('starting'));
        if (s.matches('running') || s.matches('exited')) return this.summary();
        const err = s.context.error;
        throw new BerthError(err?.code ?? 'runtime_error', err?.message ?? 'the container failed to start');
      }
      case 'WAIT': {
        const untilRemoved = msg.condition === 'removed';
        const s = await j.until((s) =>
          untilRemoved ? s.status !== 'active' || s.matches('dead') : s.matches('exited') || s.matches('dead') || s.status !== 'active' || (s.matches('created') && s.context.error !== null),
        );
        return { exitCode: s.context.exitCode, error: s.context.error, externalMs: this.externalMs };
      }
      case 'STOP': {
        if (!j.snapshot.matches('running')) return this.summary();
        j.send({ type: 'STOP', timeout: typeof msg.timeout === 'number' ? msg.timeout : 10 });
        await j.until((s) => !s.matches('running'));
        return this.summary();
      }
      case 'REMOVE': {
        const force = msg.force === true;
        if (!j.snapshot.can({ type: 'REMOVE', force })) {
          throw new BerthError(
            'conflict',
            `cannot remove container ${this.shortId}: container is ${dockerState(j.snapshot.value)}: stop the container before attempting removal or force remove`,
          );
        }
        j.send({ type: 'REMOVE', force });
        const s = await j.until((s) => s.status !== 'active' || (s.matches('dead') && s.context.error !== null));
        if (s.status !== 'done') {
          throw new BerthError(s.context.error?.code ?? 'internal', s.context.error?.message ?? 'removal failed');
        }
        return { id: s.context.id };
      }
      case 'KILL': {
        if (!j.snapshot.matches('running')) {
          throw new BerthError('not_running', `container ${this.shortId} is not running`);
        }
        const signal = Number(msg.signal);
        if (!Number.isInteger(signal) || signal < 1 || signal > 64) throw new BerthError('invalid_argument', `invalid signal ${String(msg.signal)}`);
        await (await this.connect()).kill(signal);
        return this.summary();
      }
      case 'INSPECT':
        return this.summary();
      default:
        throw new BerthError('invalid_argument', `container actor: unknown message ${msg.type}`);
    }
  }

  stop(): void {
    this.attach?.close();
    this.journaled.stop();
  }

  private get shortId(): string {
    return this.actorId.slice('container/'.length, 'container/'.length + 12);
  }

  private summary(): ContainerSummary & { error: string | null; pid: number | null } {
    const s = this.journaled.snapshot;
    const c = s.context;
    return {
      id: c.id,
      name: c.name,
      image: c.image,
      command: c.spec.args.join(' '),
      created: c.createdAt,
      state: dockerState(s.value),
      status: '',
      exitCode: c.exitCode,
      startedAt: c.startedAt,
      finishedAt: c.finishedAt,
      error: c.error?.message ?? null,
      pid: c.pid,
    };
  }

  private async startContainer(ctx: ContainerContext): Promise<StartOutput> {
    const p = this.paths;
    const trace = traceStart(`${this.shortId} start`);
    await Promise.all([mkdir(p.rootfs, { recursive: true }), mkdir(p.upper, { recursive: true }), mkdir(p.work, { recursive: true }), mkdir(p.shimDir, { recursive: true, mode: 0o700 })]);
    await rm(p.exitFile, { force: true });
    const spec = buildOciSpec(ctx.spec, { cgroupsPath: `/berth/${ctx.id}` });
    await writeFileAtomic(p.configJson, JSON.stringify(spec));
    trace('bundle written');
    const shimSpawned = performance.now();
    const started = await launchShim({
      shimPath: this.env.config.shimPath,
      runtimePath: this.env.config.runtimePath,
      runtimeRoot: this.env.config.runtimeRoot,
      id: ctx.id,
      bundle: p.dir,
      stateDir: p.shimDir,
      logFile: p.log,
      overlay: { lowerDirs: ctx.spec.lowerDirs, upper: p.upper, work: p.work },
    });
    trace('shim created the container');
    const attach = await this.connect();
    this.externalMs = performance.now() - shimSpawned;
    this.startSentAt = performance.now();
    await attach.start();
    trace('started');
    return { pid: started.pid, startedAt: new Date().toISOString() };
  }

  private async connect(): Promise<AttachClient> {
    if (this.attach) return this.attach;
    const attach = await AttachClient.open(this.paths.attachSocket);
    attach.onOutput = (stream, data) => this.env.notify(this.actorId, { kind: 'output', stream, data });
    this.attach = attach;
    return attach;
  }

  private async waitForExit(): Promise<ExitOutput> {
    // The attach connection can end without an exit frame: the shim drops a
    // client that falls behind, or the daemon restarted. Then the exit file
    // tells, or the shim is still there and we attach again.
    for (let attempt = 0; ; attempt++) {
      try {
        const attach = await this.connect();
        const rec = await attach.exited();
        // The shim deletes the container and unmounts its rootfs after
        // reporting the exit, then closes the socket.
        await Promise.race([attach.closed(), new Promise((r) => setTimeout(r, SHIM_CLEANUP_WAIT_MS).unref())]);
        if (this.startSentAt !== null) this.externalMs += performance.now() - this.startSentAt;
        this.startSentAt = null;
        this.dropAttach();
        return { exitCode: rec.exitCode, finishedAt: rec.exitedAt };
      } catch (err) {
        this.dropAttach();
        const rec = await this.readExitFile().catch(() => null);
        if (rec) return { exitCode: rec.exitCode, finishedAt: rec.exitedAt };
        if (attempt >= 3 || !existsSync(this.paths.attachSocket)) {
          throw new BerthError('runtime_error', `container ${this.shortId}: its shim is gone and left no exit status (${(err as Error).message})`);
        }
        await new Promise((r) => setTimeout(r, 100 * (attempt + 1)));
      }
    }
  }

  private dropAttach(): void {
    this.attach?.close();
    this.attach = null;
  }

  private async readExitFile(): Promise<ExitRecord> {
    try {
      return JSON.parse(await readFile(this.paths.exitFile, 'utf8')) as ExitRecord;
    } catch {
      throw new BerthError('runtime_error', `container ${this.shortId}: its shim is gone and left no exit status`);
    }
  }

  private async stopContainer(timeoutSeconds: number): Promise<void> {
    const attach = await this.connect();
    if (timeoutSeconds > 0) {
      await attach.kill(15).catch(() => {});
      const exited = await Promise.race([
        attach.exited().then(() => true, () => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), timeoutSeconds * 1000).unref()),
      ]);
      if (exited) return;
    }
    await attach.kill(9).catch(() => {});
  }

  private async removeContainer(ctx: ContainerContext): Promise<void> {
    const p = this.paths;
    if (await isMountPoint(p.rootfs)) {
      // The shim unmounts when the container exits; it may have died first.
      const { umount2, constants } = await import('../native/addon.js');
      umount2(p.rootfs, constants.MNT_DETACH);
    }
    await rm(p.dir, { recursive: true, force: true });
    await rm(p.shimDir, { recursive: true, force: true });
    const db = this.env.db;
    await db.root.transaction(() => {
      if (db.names.get(ctx.name) === ctx.id) db.names.remove(ctx.name);
    });
  }
}

export function createContainerActor(env: ActorEnv, actorId: string, input: unknown, snapshot?: unknown): HostedActor {
  return new ContainerActor(env, actorId, input as ContainerInput, snapshot);
}
