// The router, on the daemon's main thread: starts the actor hosts, places
// each actor on a host by a hash of its id (so an actor always lives on the
// same host), forwards messages between actors, runs pool tasks for them, and
// fans actor notifications out to subscribers (client streams, events).
// It also supervises the hosts: a host that dies is replaced, requests that
// were in flight on it fail with a clear error, and its actors are rebuilt
// from the journal on the new host (see onHostRestarted).
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
  /** the host the request was posted to */
  host: number;
}

/** More crashes than this within CRASH_WINDOW_MS and the daemon gives up (exit 70). */
const MAX_CRASHES = 5;
const CRASH_WINDOW_MS = 60_000;

/** One actor host as the visualizer shows it: its worker thread, and whether it takes messages. */
export interface HostInfo { index: number; threadId: number; up: boolean }

export class ActorRouter {
  private readonly hosts: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private readonly subscribers = new Map<string, Set<(ev: StreamEvent) => void>>();
  private readonly stateListeners = new Set<(note: StateNote) => void>();
  /** resolves when host i is ready for messages (a replaced host is not at once) */
  private readonly ready: Promise<void>[] = [];
  /** resolves when host i's thread is up (restores go ahead of other messages) */
  private readonly running: Promise<void>[] = [];
  private readonly crashes: number[] = [];
  private nextReplyId = 1;
  private closing = false;
  /** the visualizer's view of the hosts: thread ids (a replaced host has a new one) and readiness */
  private readonly hostInfo: HostInfo[] = [];
  private readonly hostListeners = new Set<(hosts: HostInfo[]) => void>();
  /** taps on every actor notification (the visualizer's live pull progress); empty unless a page watches */
  private readonly notifyTaps = new Set<(actorId: string, ev: StreamEvent) => void>();
  /** Rebuilds a replaced host's actors (set by the daemon: restore from the journal). */
  onHostRestarted: (hostIndex: number) => Promise<void> = async () => {};
  /**
   * Runs before a host's message is dispatched (set by the daemon: it renews this thread's LMDB read
   * snapshot). A host commits its writes before it replies or notes a state, but this thread keeps
   * reading the snapshot it took earlier in the event turn: without a renewal a listener would read
   * the record as it was before the change it was told about.
   */
  onHostWrites: () => void = () => {};

  constructor(
    private readonly config: Omit<HostConfig, 'hostIndex'>,
    private readonly runTask: TaskRunner,
    private readonly hostCount: number,
  ) {}

  async start(): Promise<void> {
    for (let i = 0; i < this.hostCount; i++) this.ready[i] = this.running[i] = this.spawnHost(i);
    await Promise.all(this.ready);
    for (const h of this.hostInfo) h.up = true;
    this.hostsChanged();
  }

  private spawnHost(i: number): Promise<void> {
    const worker = new Worker(new URL('./actor-host.js', import.meta.url), { name: `actor-host-${i}` });
    this.hosts[i] = worker;
    this.hostInfo[i] = { index: i, threadId: worker.threadId, up: false };
    let failed = false;
    const fail = (err: Error) => {
      if (failed || this.closing) return;
      failed = true;
      this.onHostCrash(i, worker, err);
    };
    const ready = new Promise<void>((resolve, reject) => {
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
    });
    worker.on('error', (err) => fail(err));
    worker.on('exit', (code) => fail(new Error(`exited with code ${code}`)));
    post(worker, { op: 'init', config: { ...this.config, hostIndex: i } } satisfies ToHost);
    return ready;
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
    return this.request<T>(this.hostFor(actorId), (replyId) => ({ op: 'deliver', actorId, msg, replyId, spawn }));
  }

  /** Posts a message to a host once it is ready and resolves with the host's reply. */
  private request<T>(host: number, make: (replyId: number) => ToHost, when: 'ready' | 'running' = 'ready'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const replyId = this.nextReplyId++;
      this.pending.set(replyId, { resolve: resolve as (v: unknown) => void, reject, host });
      const worker = this.hosts[host];
      (when === 'ready' ? this.ready : this.running)[host].then(
        () => {
          // The host may have died (and been replaced) before it got this message.
          if (this.hosts[host] === worker) post(worker, make(replyId));
          else this.failPending(replyId, new BerthError('daemon_unavailable', `actor host ${host} was restarted before the request reached it; retry`));
        },
        (err: Error) => this.failPending(replyId, new BerthError('daemon_unavailable', `actor host ${host} is not available: ${err.message}`)),
      );
    });
  }

  private failPending(replyId: number, err: Error): void {
    const p = this.pending.get(replyId);
    if (!p) return;
    this.pending.delete(replyId);
    p.reject(err);
  }

  /** Re-creates an actor from its persisted snapshot (daemon start-up). */
  async restore(actorId: string): Promise<void> {
    await this.request(this.hostFor(actorId), (replyId) => ({ op: 'restore', actorId, replyId }), 'running');
  }

  /** Fault injection (daemon --enable-fault-injection): makes host i die as a crashing thread would. */
  crashHost(i: number): void {
    if (!this.hosts[i]) throw new BerthError('invalid_argument', `there is no actor host ${i} (hosts: 0-${this.hosts.length - 1})`);
    post(this.hosts[i], { op: 'crash' } satisfies ToHost);
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

  /** Every actor notification (progress, output…) as it passes, whoever subscribed to the actor. */
  onNotify(cb: (actorId: string, ev: StreamEvent) => void): () => void {
    this.notifyTaps.add(cb);
    return () => this.notifyTaps.delete(cb);
  }

  /** Each actor host's worker thread id and readiness (copies). */
  hostList(): HostInfo[] {
    return this.hostInfo.map((h) => ({ ...h }));
  }

  /** Called with every host's info when a host goes down or (back) up. */
  onHosts(cb: (hosts: HostInfo[]) => void): () => void {
    this.hostListeners.add(cb);
    return () => this.hostListeners.delete(cb);
  }

  private hostsChanged(): void {
    for (const cb of this.hostListeners) cb(this.hostList());
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
    if (msg.op !== 'ready' && msg.op !== 'gone') this.onHostWrites();
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
        for (const cb of this.notifyTaps) cb(msg.actorId, msg.event);
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

  private onHostCrash(hostIndex: number, worker: Worker, err: Error): void {
    process.stderr.write(`berthd: actor host ${hostIndex} failed: ${err.stack ?? err.message}\n`);
    void worker.terminate();
    // What was in flight on the dead host gets an answer now, never a hang.
    for (const [replyId, p] of this.pending) {
      if (p.host === hostIndex) this.failPending(replyId, new BerthError('internal', `actor host ${hostIndex} crashed while handling this request (${err.message}); its actors are being restored from the journal: retry`));
    }
    const now = Date.now();
    this.crashes.push(now);
    while (this.crashes.length > 0 && this.crashes[0] < now - CRASH_WINDOW_MS) this.crashes.shift();
    if (this.crashes.length > MAX_CRASHES) {
      process.stderr.write(`berthd: actor hosts crashed ${this.crashes.length} times within ${CRASH_WINDOW_MS / 1000} s; giving up\n`);
      process.exit(70);
    }
    const running = (this.running[hostIndex] = this.spawnHost(hostIndex));
    const info = this.hostInfo[hostIndex]; // this thread's, not a later replacement's
    this.hostsChanged();
    this.ready[hostIndex] = this.spawnReady(hostIndex, running.then(() => this.onHostRestarted(hostIndex))).then(() => {
      info.up = true;
      this.hostsChanged();
    });
    this.ready[hostIndex].catch(() => {}); // each waiting request reports it
  }

  /** Host i counts as ready once it is running and its actors are back. */
  private spawnReady(hostIndex: number, ready: Promise<void>): Promise<void> {
    return ready.then(
      () => {
        process.stderr.write(`berthd: actor host ${hostIndex} restarted; its actors are restored\n`);
      },
      (err: Error) => {
        process.stderr.write(`berthd: actor host ${hostIndex} could not be restarted: ${err.message}\n`);
        throw err;
      },
    );
  }
}
