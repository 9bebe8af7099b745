// Hosts one container's machine: turns requests into machine events, waits
// for the states that answer them, and supplies the machine's effects
// (src/actors/container-effects.ts). What state comes next is decided by
// src/machines/container.ts alone.
import type { HealthState } from '../machines/health.js';
import { fromPromise } from 'xstate';
import { BerthError, serializeError } from '../errors.js';
import { containerMachine, dockerState, type ContainerContext, type ContainerInput, type ExitOutput, type StartOutput } from '../machines/container.js';
import { parseSignal } from '../runtime/signals.js';
import type { HostOptions } from '../runtime/host-options.js';
import type { RestartPolicy } from '../machines/restart-policy.js';
import { containerInspect, containerSummary } from '../views/container-view.js';
import { JournaledActor } from './journaled-actor.js';
import { claimName } from '../services/names.js';
import { ContainerEffects, releaseName } from './container-effects.js';
import type { ActorEnv, HostedActor } from './actor-env.js';
import type { ActorMessage } from '../workers/messages.js';

export function containerActorId(id: string): string {
  return `container/${id}`;
}

type Snapshot = JournaledActor<typeof containerMachine>['snapshot'];

class ContainerActor implements HostedActor {
  private readonly journaled: JournaledActor<typeof containerMachine>;
  private readonly effects: ContainerEffects;
  /** the creation commit is on disk (a restored actor: it was long ago) */
  private created: boolean;

  constructor(private readonly env: ActorEnv, readonly actorId: string, input: ContainerInput, snapshot?: unknown) {
    this.created = snapshot !== undefined;
    const fx = (this.effects = new ContainerEffects(env, actorId, input.id));
    fx.networkMode = input.spec.network?.mode;
    fx.sharesIpcNamespace = input.spec.host?.ipcMode === 'shareable';
    const machine = containerMachine.provide({
      actors: {
        startContainer: fromPromise<StartOutput, ContainerContext>(({ input: ctx }) => fx.start(ctx)),
        waitForExit: fromPromise<ExitOutput, ContainerContext>(() => fx.waitForExit()),
        stopContainer: fromPromise<void, ContainerContext>(({ input: ctx }) => fx.stop(ctx)),
        pauseContainer: fromPromise<void, ContainerContext>(() => fx.pause()),
        resumeContainer: fromPromise<void, ContainerContext>(() => fx.resume()),
        removeContainer: fromPromise<void, ContainerContext>(({ input: ctx }) => fx.remove(ctx)),
      },
    });
    fx.restored = snapshot !== undefined;
    this.journaled = new JournaledActor(
      env,
      actorId,
      'container',
      machine,
      input,
      snapshot,
      (ctx) => releaseName(env.db, ctx as ContainerContext),
      // a new container's name is claimed in its creation commit
      snapshot === undefined ? claimName(env.db, input.name, input.id) : undefined,
    ).start();
    if (snapshot === undefined) {
      // The creation entry (queued just now) must be on disk before a shim
      // runs: launching one commits it, with the start entry queued after it.
      const created = this.journaled.written();
      created.then(() => {
        this.created = true;
        // now the container can be found by id: a client that subscribed
        // before creating it (run) learns its id here
        env.notify(actorId, { kind: 'container-id', id: input.id });
      }, () => {});
      fx.beforeLaunch = async () => {
        try {
          await this.journaled.flushed();
        } catch (err) {
          if (this.journaled.refused) await fx.discardFiles();
          throw err;
        }
      };
    }
    if (snapshot !== undefined) {
      this.journaled.send({ type: 'DAEMON_RESTORED' });
      // Not running by the journal's account (and not being started again):
      // whatever a cut-short start left in the kernel goes.
      const s = this.journaled.snapshot;
      if (!s.matches('running') && !s.matches('starting')) void fx.clearLeftovers().catch(() => {});
    }
  }

  async handle(msg: ActorMessage): Promise<unknown> {
    const j = this.journaled;
    switch (msg.type) {
      case 'CREATE':
        // run: created and started at once, so both entries commit together
        // and the bundle is written while that commit is flushed
        if (msg.start === true) {
          try {
            return await this.start();
          } catch (err) {
            // a container that exists but did not start: the caller keeps it
            if (this.created) return { startError: serializeError(err) };
            throw err;
          }
        }
        await j.flushed();
        return this.summary();
      case 'INSPECT':
        await j.flushed();
        return containerInspect(j.snapshot.value, j.snapshot.context, this.effects.paths, (id) => this.env.db.networks.get(id)?.name);
      case 'SUMMARY':
        return this.summary();
      case 'START':
        return this.start();
      case 'WAIT':
        return this.wait(msg.condition);
      case 'STOP': {
        // A stop that arrives while a (re)start is in flight applies to its outcome.
        if (j.snapshot.matches('starting')) await j.until((s) => !s.matches('starting'));
        if (j.snapshot.matches({ running: 'paused' })) {
          throw new BerthError('conflict', `cannot stop container ${this.shortId}: the container is paused; unpause it first`);
        }
        if (j.snapshot.matches('restarting')) {
          j.send({ type: 'STOP', timeout: 0 });
          await j.flushed();
          return this.summary();
        }
        if (!j.snapshot.matches('running')) return this.summary();
        j.send({ type: 'STOP', timeout: typeof msg.timeout === 'number' ? msg.timeout : j.snapshot.context.stopTimeout });
        await j.until((s) => !s.matches('running'));
        return this.summary();
      }
      case 'KILL': {
        const signal = parseSignal(msg.signal as string | number | undefined, 9);
        if (!j.snapshot.matches('running') && !j.snapshot.matches('restarting')) {
          throw new BerthError('conflict', `cannot kill container ${this.shortId}: container is not running`);
        }
        const wasRunning = j.snapshot.matches('running');
        j.send({ type: 'KILL', signal });
        await j.flushed();
        if (wasRunning) await this.effects.signal(signal);
        return this.summary();
      }
      case 'PAUSE':
        return this.transition({ type: 'PAUSE' }, 'paused', (s) => !s.matches({ running: 'pausing' }), (s) => s.matches({ running: 'paused' }));
      case 'UNPAUSE':
        return this.transition({ type: 'UNPAUSE' }, 'unpaused', (s) => !s.matches({ running: 'unpausing' }), (s) => s.matches({ running: 'active' }));
      case 'HEALTH':
        j.send({ type: 'HEALTH', health: msg.health as HealthState, changed: msg.changed === true });
        await j.flushed();
        return null;
      case 'RENAME':
        return this.rename(String(msg.name));
      case 'UPDATE':
        return this.update(msg.host as HostOptions, msg.restartPolicy as RestartPolicy | undefined);
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
        if (s.status !== 'done') throw this.errorOf(s, 'removal failed');
        return { id: s.context.id };
      }
      case 'STDIN':
        // Docker's API attaches (and may send stdin) before it starts the container.
        if (j.snapshot.matches('created') || j.snapshot.matches('starting')) {
          await j.until((s) => !s.matches('created') && !s.matches('starting'));
        }
        this.requireRunning();
        await this.effects.stdin(msg.data instanceof Uint8Array ? msg.data : null);
        return null;
      case 'RESIZE':
        // A client sizes its terminal as soon as it knows the container's id,
        // which can be before the container runs: keep the size for the start.
        if (j.snapshot.matches('created') || j.snapshot.matches('starting')) {
          this.effects.pendingSize = { rows: Number(msg.rows), cols: Number(msg.cols) };
          return null;
        }
        this.requireRunning();
        await this.effects.resize(Number(msg.rows), Number(msg.cols));
        return null;
      default:
        throw new BerthError('invalid_argument', `container actor: unknown message ${msg.type}`);
    }
  }

  stop(): void {
    this.effects.dropAttach();
    this.journaled.stop();
  }

  private get shortId(): string {
    return this.actorId.slice('container/'.length, 'container/'.length + 12);
  }

  private summary() {
    return containerSummary(this.journaled.snapshot.value, this.journaled.snapshot.context);
  }

  private errorOf(s: Snapshot, fallback: string): BerthError {
    const err = s.context.error;
    return new BerthError(err?.code ?? 'runtime_error', err?.message ?? fallback);
  }

  /** Sends START and answers once the start succeeded or failed (synchronous up to the send). */
  private async start(): Promise<unknown> {
    this.require({ type: 'START' }, 'started');
    this.journaled.send({ type: 'START' });
    const s = await this.journaled.until((s) => !s.matches('starting'));
    if (s.matches('running') || s.matches('exited') || s.matches('restarting')) return this.summary();
    throw this.errorOf(s, 'the container failed to start');
  }

  private require(event: Parameters<Snapshot['can']>[0], verb: string): void {
    if (!this.journaled.snapshot.can(event)) {
      throw new BerthError('conflict', `container ${this.shortId} is ${dockerState(this.journaled.snapshot.value)}; it cannot be ${verb} now`);
    }
  }

  private requireRunning(): void {
    if (!this.journaled.snapshot.matches('running')) throw new BerthError('not_running', `container ${this.shortId} is not running`);
  }

  private async transition(
    event: { type: 'PAUSE' } | { type: 'UNPAUSE' },
    verb: string,
    settled: (s: Snapshot) => boolean,
    succeeded: (s: Snapshot) => boolean,
  ): Promise<unknown> {
    this.require(event, verb);
    this.journaled.send(event);
    const s = await this.journaled.until(settled);
    if (!succeeded(s)) throw new BerthError('runtime_error', `container ${this.shortId} could not be ${verb}`);
    return this.summary();
  }

  private async wait(condition: unknown): Promise<unknown> {
    const j = this.journaled;
    const finished = (s: Snapshot) => s.status !== 'active' || s.matches('dead');
    let s: Snapshot;
    if (condition === 'removed') {
      s = await j.until(finished);
    } else if (condition === 'next-exit') {
      // the next time it stops, not where it stands now
      let current = true;
      s = await j.until((x) => {
        if (current) {
          current = false;
          return false;
        }
        return finished(x) || x.matches('exited') || (x.matches('created') && x.context.error !== null);
      });
    } else {
      s = await j.until(
        (x) => finished(x) || x.matches('exited') || (x.matches('created') && x.context.error !== null),
      );
    }
    return { exitCode: s.context.exitCode ?? 0, error: s.context.error?.message ?? null, externalMs: this.effects.externalMs };
  }

  private async update(host: HostOptions, restartPolicy: RestartPolicy | undefined): Promise<unknown> {
    const s = this.journaled.snapshot;
    if (s.matches('removing') || s.matches('removed') || s.matches('dead')) {
      throw new BerthError('conflict', `Cannot update container ${this.shortId}: container is marked for removal and cannot be "update"`);
    }
    if (restartPolicy && restartPolicy.name !== 'no' && s.context.spec.autoRemove) {
      throw new BerthError('invalid_argument', 'Cannot update container: Restart policy cannot be updated because AutoRemove is enabled for the container');
    }
    const merged = { ...s.context.spec.host, ...host };
    if (s.matches('running') && Object.keys(host).length > 0) await this.effects.update(merged);
    this.journaled.send({ type: 'UPDATE', host, restartPolicy });
    await this.journaled.flushed();
    return null;
  }

  private async rename(name: string): Promise<unknown> {
    const ctx = this.journaled.snapshot.context;
    const db = this.env.db;
    const taken = await db.root.transaction(() => {
      const owner = db.names.get(name);
      if (owner !== undefined && owner !== ctx.id) return owner;
      if (db.names.get(ctx.name) === ctx.id) db.names.remove(ctx.name);
      db.names.put(name, ctx.id);
      return null;
    });
    if (taken) {
      throw new BerthError('conflict', `Conflict. The container name "/${name}" is already in use by container "${taken}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
    this.journaled.send({ type: 'RENAME', name });
    await this.journaled.flushed();
    return null;
  }
}

export function createContainerActor(env: ActorEnv, actorId: string, input: unknown, snapshot?: unknown): HostedActor {
  return new ContainerActor(env, actorId, input as ContainerInput, snapshot);
}
