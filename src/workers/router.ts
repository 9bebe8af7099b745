// The router, on the daemon's main thread: starts the actor hosts, places
// each actor on a host by a hash of its id (so an actor always lives on the
// same host), forwards messages between actors, runs pool tasks for them, and
// fans actor notifications out to subscribers (client streams, events).
import { Worker } from 'node:worker_threads';
import { createHash } from 'node:crypto';
import { BerthError, deserializeError, serializeError } from '../errors.js';
import { decode, post } from './wire.js';
import type { ActorMessage, FromHost, HostConfig, SpawnSpec, StateNote, ToHost } from './messages.js';
import type { StreamEvent } from '../protocol/frames.js';

export type TaskRunner = (name: string, args: unknown) => Promise<unknown>;

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
}

export class ActorRouter {
  private readonly hosts: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly subscribers = new Map<string, Set<(ev: StreamEvent) => void>>();
  private readonly stateListeners = new Set<(note: StateNote) => void>();
  private nextReplyId = 1;
  private closing = false;

  constructor(
    private readonly config: Omit<HostConfig, 'hostIndex'>,
    private readonly runTask: TaskRunner,
    private readonly hostCount: number,
  ) {}

  async start(): Promise<void> {
    const ready: Promise<void>[] = [];
    for (let i = 0; i < this.hostCount; i++) {
      const worker = new Worker(new URL('./actor-host.js', import.meta.url), { name: `actor-host-${i}` });
      this.hosts.push(worker);
      ready.push(
        new Promise<void>((resolve, reject) => {
          worker.once('error', reject);
          worker.on('message', (bytes: Uint8Array) => {
            const msg = decode<FromHost>(bytes);
            if (msg.op === 'ready') {
              worker.off('error', reject);
              resolve();
              return;
            }
            this.onHostMessage(i, msg);
          });
        }),
      );
      worker.on('error', (err) => this.onHostCrash(i, err));
      worker.on('exit', (code) => {
        if (!this.closing) this.onHostCrash(i, new Error(`actor host ${i} exited with code ${code}`));
      });
      post(worker, { op: 'init', config: { ...this.config, hostIndex: i } } satisfies ToHost);
    }
    await Promise.all(ready);
  }

  get size(): number {
    return this.hosts.length;
  }

  hostFor(actorId: string): number {
    const h = createHash('sha1').update(actorId).digest();
    return h.readUInt32BE(0) % this.hosts.length;
  }

  /** Sends `msg` to an actor and resolves with its reply. With `spawn`, creates the actor if it does not exist. */
  ask<T = unknown>(actorId: string, msg: ActorMessage, spawn?: SpawnSpec): Promise<T> {
    if (this.closing) return Promise.reject(new BerthError('daemon_unavailable', 'the daemon is shutting down'));
    return new Promise<T>((resolve, reject) => {
      const replyId = this.nextReplyId++;
      this.pending.set(replyId, { resolve: resolve as (v: unknown) => void, reject });
      post(this.hosts[this.hostFor(actorId)], { op: 'deliver', actorId, msg, replyId, spawn } satisfies ToHost);
    });
  }

  /** Re-creates an actor from its persisted snapshot (daemon start-up). */
  restore(actorId: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const replyId = this.nextReplyId++;
      this.pending.set(replyId, { resolve: () => resolve(), reject });
      post(this.hosts[this.hostFor(actorId)], { op: 'restore', actorId, replyId } satisfies ToHost);
    });
  }

  subscribe(actorId: string, cb: (ev: StreamEvent) => void): () => void {
    let set = this.subscribers.get(actorId);
    if (!set) this.subscribers.set(actorId, (set = new Set()));
    set.add(cb);
    return () => {
      set.delete(cb);
      if (set.size === 0 && this.subscribers.get(actorId) === set) this.subscribers.delete(actorId);
    };
  }

  onState(cb: (note: StateNote) => void): () => void {
    this.stateListeners.add(cb);
    return () => this.stateListeners.delete(cb);
  }

  async stop(): Promise<void> {
    this.closing = true;
    await Promise.all(
      this.hosts.map(
        (w) =>
          new Promise<void>((resolve) => {
            w.once('exit', () => resolve());
            post(w, { op: 'shutdown' } satisfies ToHost);
            setTimeout(() => void w.terminate(), 2000).unref();
          }),
      ),
    );
    for (const p of this.pending.values()) p.reject(new BerthError('daemon_unavailable', 'the daemon is shutting down'));
    this.pending.clear();
  }

  private onHostMessage(hostIndex: number, msg: FromHost): void {
    switch (msg.op) {
      case 'reply': {
        const p = this.pending.get(msg.replyId);
        if (!p) return;
        this.pending.delete(msg.replyId);
        if (msg.ok) p.resolve(msg.value);
        else p.reject(deserializeError(msg.error));
        return;
      }
      case 'ask':
        this.ask(msg.to, msg.msg, msg.spawn).then(
          (value) => this.replyToHost(hostIndex, msg.replyId, true, value),
          (err) => this.replyToHost(hostIndex, msg.replyId, false, err),
        );
        return;
      case 'task':
        this.runTask(msg.name, msg.args).then(
          (value) => this.replyToHost(hostIndex, msg.replyId, true, value),
          (err) => this.replyToHost(hostIndex, msg.replyId, false, err),
        );
        return;
      case 'notify':
        for (const cb of this.subscribers.get(msg.actorId) ?? []) cb(msg.event);
        return;
      case 'state':
        for (const cb of this.stateListeners) cb(msg.note);
        return;
      case 'gone':
        return;
      case 'ready':
        return;
    }
  }

  private replyToHost(hostIndex: number, replyId: number, ok: boolean, valueOrErr: unknown): void {
    const worker = this.hosts[hostIndex];
    if (!worker) return;
    const msg: ToHost = ok
      ? { op: 'reply', replyId, ok: true, value: valueOrErr }
      : { op: 'reply', replyId, ok: false, error: serializeError(valueOrErr) };
    post(worker, msg);
  }

  private onHostCrash(hostIndex: number, err: Error): void {
    // Supervision (restart and rebuild from the journal) is issue 8; until
    // then a crashed host fails the daemon loudly rather than hanging callers.
    process.stderr.write(`berthd: actor host ${hostIndex} failed: ${err.stack ?? err.message}\n`);
    for (const p of this.pending.values()) p.reject(new BerthError('internal', `actor host ${hostIndex} failed: ${err.message}`));
    this.pending.clear();
    if (!this.closing) process.exit(70);
  }
}
