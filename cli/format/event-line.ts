// `berth events` lines as Docker prints them:
//   2026-11-28T04:00:00.123456789Z container start <id> (image=busybox, name=x)
// and the Docker-shaped object a --format template sees.
import type { EngineEvent } from '../../src/protocol/container-methods.js';

/** RFC 3339 with exactly nine fraction digits (Docker's RFC3339NanoFixed), in UTC. */
export function fixedNanoTime(ev: Pick<EngineEvent, 'time' | 'timeNano'>): string {
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/.exec(ev.time ?? '');
  if (m && m[3] === 'Z') return `${m[1]}.${(m[2] ?? '').padEnd(9, '0').slice(0, 9)}Z`;
  const ns = BigInt(Math.trunc(ev.timeNano));
  const base = new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 19);
  return `${base}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}Z`;
}

export function eventLine(ev: EngineEvent): string {
  const attrs = Object.keys(ev.attributes ?? {}).sort().map((k) => `${k}=${ev.attributes[k]}`);
  return `${fixedNanoTime(ev)} ${ev.type} ${ev.action} ${ev.id}${attrs.length > 0 ? ` (${attrs.join(', ')})` : ''}\n`;
}

/** The fields Docker's events --format exposes: Type, Action, Actor.ID, Actor.Attributes, status, id, from, time, timeNano, scope. */
export function dockerEvent(ev: EngineEvent): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (ev.type === 'container' || ev.type === 'image') {
    out.status = ev.action;
    out.id = ev.id;
    if (ev.attributes?.image !== undefined) out.from = ev.attributes.image;
  }
  return {
    ...out,
    Type: ev.type,
    Action: ev.action,
    Actor: { ID: ev.id, Attributes: ev.attributes ?? {} },
    scope: 'local',
    time: Math.floor(ev.timeNano / 1e9),
    timeNano: ev.timeNano,
  };
}
