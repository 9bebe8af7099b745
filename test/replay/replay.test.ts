// Replaying recorded event logs through the pure machines (issue 8).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pack } from 'msgpackr';
import { decodeEventLog, encodeEventLog, EventLogError, type EventLog } from '../../src/replay/event-log.js';
import { byActor, replayActor } from '../../src/replay/replay-actor.js';
import { UnknownMachineVersionError } from '../../src/replay/migrate-entry.js';
import { MACHINES } from '../../src/replay/machine-catalog.js';

const FIXTURES = join(import.meta.dirname, '../fixtures/journals');
const load = (name: string): EventLog => decodeEventLog(readFileSync(join(FIXTURES, name)));

describe('replaying stored event logs', () => {
  it('a log written by the first engine (version 1, with its shutdown bug) replays step for step', () => {
    const log = load('v1-engine-0.1-shutdown-bug.json');
    const results = [...byActor(log.entries).values()].map(replayActor);
    expect(results.map((r) => [r.kind, r.state, r.status, r.mismatches])).toEqual([
      ['pull', 'done', 'done', []],
      ['layer', 'present', 'done', []],
      ['container', 'removed', 'done', []],
      // the daemon's SIGTERM was journaled as a stop: replay passes over it and
      // finds the container still alive, as it really was
      ['container', 'exited', 'active', []],
    ]);
    expect(results[3].ignored).toBe(1);
    expect(results[3].steps).toBe(6);
  });

  it('a log taken from a varied session replays step for step', () => {
    const log = load('v1-session.json');
    const results = [...byActor(log.entries).values()].map(replayActor);
    expect(results.length).toBeGreaterThan(5);
    for (const r of results) expect({ actor: r.actorId, mismatches: r.mismatches }).toEqual({ actor: r.actorId, mismatches: [] });
    const states = new Set(results.map((r) => JSON.stringify(r.state)));
    expect(states).toContain('"removed"');
  });

  it('a journal that lies is caught at the entry where it lies', () => {
    const log = load('v1-engine-0.1-shutdown-bug.json');
    const entries = structuredClone(log.entries);
    const victim = entries.find((e) => e.kind === 'container' && e.event.type === 'START')!;
    victim.state = 'paused';
    const r = replayActor(byActor(entries).get(victim.actorId)!);
    expect(r.mismatches[0]).toMatchObject({ seq: victim.seq, event: 'START' });
    expect(r.mismatches[0].what).toMatch(/^state .*"starting" ≠ "paused"/);
  });

  it('a changed context is caught too', () => {
    const log = load('v1-engine-0.1-shutdown-bug.json');
    const entries = structuredClone(log.entries);
    const victim = entries.filter((e) => e.kind === 'container')[2];
    (victim.context as Record<string, unknown>).name = 'someone-else';
    const r = replayActor(byActor(entries).get(victim.actorId)!);
    expect(r.mismatches[0].what).toContain('context .name');
  });

  it('a log that does not start with the actor\'s creation is reported, not guessed at', () => {
    const log = load('v1-engine-0.1-shutdown-bug.json');
    const entries = log.entries.filter((e) => e.kind === 'container').slice(1, 3);
    const r = replayActor(entries);
    expect(r.mismatches[0].what).toContain('xstate.init');
  });

  it('an actor id used again after its actor ended replays as a new life', () => {
    const log = load('v1-engine-0.1-shutdown-bug.json');
    const layer = log.entries.filter((e) => e.kind === 'layer');
    const again = layer.map((e, i) => ({ ...e, seq: 1000 + i }));
    const r = replayActor([...layer, ...again]);
    expect(r.mismatches).toEqual([]);
    expect(r.steps).toBe(layer.length * 2);
    expect(r.state).toBe('present');
  });

  it('an entry from a newer machine version is refused with a clear error', () => {
    const log = load('v1-engine-0.1-shutdown-bug.json');
    const entries = structuredClone(log.entries).filter((e) => e.kind === 'pull');
    entries[1].v = MACHINES.pull.version + 1;
    expect(() => replayActor(entries)).toThrow(UnknownMachineVersionError);
    expect(() => replayActor(entries)).toThrow(/written by a newer engine/);
  });
});

describe('the event log format', () => {
  it('round-trips as JSON and as msgpack', () => {
    const log = load('v1-engine-0.1-shutdown-bug.json');
    expect(decodeEventLog(encodeEventLog(log, 'msgpack'))).toEqual(log);
    expect(decodeEventLog(encodeEventLog(log, 'json'))).toEqual(log);
  });

  it.each([
    ['not JSON', Buffer.from('{nope')],
    ['another JSON document', Buffer.from('{"entries":[]}')],
    ['msgpack of something else', pack([1, 2, 3])],
    ['a newer format version', Buffer.from(JSON.stringify({ format: 'berth.journal', version: 99, entries: [] }))],
    ['an entry without an event', Buffer.from(JSON.stringify({ format: 'berth.journal', version: 1, entries: [{ seq: 1, actorId: 'x', kind: 'pull' }] }))],
  ])('rejects %s with a clear error', (_what, bytes) => {
    expect(() => decodeEventLog(bytes)).toThrow(EventLogError);
  });
});
