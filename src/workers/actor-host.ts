// Entry point of an actor-host worker thread. Holds the actors placed on this
// host, delivers their messages, and gives them an ActorEnv whose services
// (ask another actor, run a pool task) go through the router.
import { parentPort } from 'node:worker_threads';
import { BerthError, deserializeError, serializeError } from '../errors.js';
import { openMetadataDb, type MetadataDb } from '../store/db.js';
import { journalWriter } from '../store/journal.js';
import { decode, post } from './wire.js';
import { actorFactories } from '../actors/registry.js';
import type { ActorEnv, HostedActor } from '../actors/actor-env.js';
import type { FromHost, HostConfig, ToHost, SpawnSpec } from './messages.js';

if (!parentPort) throw new Error('actor-host.ts must run in a worker thread');
const port = parentPort;

// As on the main thread: a rejection nobody handled (a metadata write that
// failed on a full disk, say) is logged; the request it belonged to already
// got its error. It does not take every actor on this host down.
process.on('unhandledRejection', (err) => process.stderr.write(`berthd: actor host: unhandled rejection: ${(err as Error)?.stack ?? String(err)}\n`));

const actors = new Map<string, HostedActor>();
const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
let nextReplyId = 1;
let env: ActorEnv | undefined;
let db: MetadataDb | undefined;

function send(msg: FromHost): void {
  post(port, msg);
}

type HostRequest = Omit<Extract<FromHost, { op: 'ask' }>, 'replyId'> | Omit<Extract<FromHost, { op: 'task' }>, 'replyId'>;

function request<T>(msg: HostRequest): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const replyId = nextReplyId++;
    pending.set(replyId, { resolve: resolve as (v: unknown) => void, reject });
    send({ ...msg, replyId });
  });
}

function makeEnv(config: HostConfig, metadata: MetadataDb): ActorEnv {
  return {
    config,
    db: metadata,
    ask: (to, msg, spawn) => request({ op: 'ask', to, msg, spawn }),
    runTask: (name, args) => request({ op: 'task', name, args }),
    notify: (actorId, event) => send({ op: 'notify', actorId, event }),
    noteState: (note) => send({ op: 'state', note }),
    journalFailed: (actorId) => {
      const actor = actors.get(actorId);
      if (!actor) return;
      process.stderr.write(`berthd: ${actorId}: a transition could not be journaled; the actor goes back to its last journaled state\n`);
      actors.delete(actorId);
      actor.stop();
    },
    finished: (actorId) => {
      const actor = actors.get(actorId);
      if (actor) {
        actors.delete(actorId);
        actor.stop();
      }
      send({ op: 'gone', actorId });
    },
  };
}

function createActorFrom(actorId: string, spec: SpawnSpec, snapshot?: unknown): HostedActor {
  if (!env) throw new BerthError('internal', 'actor host used before init');
  const factory = actorFactories[spec.kind];
  if (!factory) throw new BerthError('internal', `no actor kind '${spec.kind}'`);
  const actor = factory(env, actorId, spec.input, snapshot);
  actors.set(actorId, actor);
  return actor;
}

/** Re-creates a persisted actor that is not in memory (dropped after a failed journal write), from its last journaled state. */
function restoreFromRecord(actorId: string): HostedActor | undefined {
  const record = db?.actors.get(actorId);
  // containers, and layers recovery kept to store a blob (daemon/recovery.ts); other kinds are closed at recovery
  if (!record || (record.kind !== 'container' && record.kind !== 'layer')) return undefined;
  return createActorFrom(actorId, { kind: record.kind, input: record.input }, record.snapshot);
}

function reply(replyId: number, work: () => Promise<unknown>): void {
  work().then(
    (value) => send({ op: 'reply', replyId, ok: true, value: value ?? null }),
    (err) => send({ op: 'reply', replyId, ok: false, error: serializeError(err) }),
  );
}

port.on('message', (bytes: Uint8Array) => {
  const msg = decode<ToHost>(bytes);
  // What led to this message (another thread's commit) may be newer than this thread's LMDB read snapshot: renew it.
  if (msg.op !== 'init') db?.root.resetReadTxn();
  switch (msg.op) {
    case 'init':
      db = openMetadataDb(msg.config.root);
      env = makeEnv(msg.config, db);
      send({ op: 'ready' });
      // Node compiles fetch (undici) on first use, ~80 ms of CPU per thread: pay it while idle, not in the first pull.
      setImmediate(() => void new Response(''));
      return;
    case 'deliver':
      reply(msg.replyId, async () => {
        let actor = actors.get(msg.actorId) ?? restoreFromRecord(msg.actorId);
        if (!actor && msg.spawn) actor = createActorFrom(msg.actorId, msg.spawn);
        if (!actor) throw new BerthError('not_found', `no such actor: ${msg.actorId}`);
        return actor.handle(msg.msg);
      });
      return;
    case 'restore':
      reply(msg.replyId, async () => {
        if (actors.has(msg.actorId)) return null;
        if (!restoreFromRecord(msg.actorId)) throw new BerthError('not_found', `no persisted actor ${msg.actorId}`);
        return null;
      });
      return;
    case 'reply': {
      const p = pending.get(msg.replyId);
      if (!p) return;
      pending.delete(msg.replyId);
      if (msg.ok) p.resolve(msg.value);
      else p.reject(deserializeError(msg.error));
      return;
    }
    case 'crash':
      // Fault injection (daemon --enable-fault-injection): an uncaught error, as a bug would throw.
      setImmediate(() => {
        throw new Error('fault injection: actor host crash');
      });
      return;
    case 'shutdown': {
      const stopping = [...actors.values()].map((actor) => actor.stop());
      actors.clear();
      void Promise.allSettled(stopping)
        .then(() => (db ? journalWriter(db).flush().finally(() => db!.root.close()) : undefined))
        .finally(() => port.close());
      return;
    }
  }
});
