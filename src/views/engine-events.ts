// Docker-style events derived from journal entries: the journal is the one
// record of what happened, so `events` is a view of it. Pure.
import { dockerState } from '../machines/container.js';
import type { JournalEntry } from '../store/journal-entry.js';
import type { EngineEvent } from '../protocol/container-methods.js';

function timeNano(iso: string): number {
  return Date.parse(iso) * 1e6;
}

function containerAction(e: JournalEntry): { action: string; extra?: Record<string, string> } | null {
  const t = e.event.type;
  const state = e.state;
  const ctx = e.context as { exitCode?: number | null; oomKilled?: boolean } | null;
  if (t === 'xstate.init') return { action: 'create' };
  if (e.status === 'done') return { action: 'destroy' };
  if (t === 'KILL') return { action: 'kill', extra: { signal: String(e.event.signal ?? '') } };
  if (t === 'STOP') return { action: 'stop' };
  if (t === 'RENAME') return { action: 'rename' };
  if (t === 'HEALTH') return e.event.changed === true ? { action: `health_status: ${(e.event.health as { Status: string }).Status}` } : null;
  if (!t.startsWith('xstate.done.actor')) return null;
  const ds = dockerState(state);
  if (t.endsWith('.starting') && ds === 'running') return { action: 'start' };
  if (t.endsWith('.running') && ds !== 'running') {
    const extra: Record<string, string> = { exitCode: String(ctx?.exitCode ?? 0) };
    return { action: ctx?.oomKilled ? 'oom' : 'die', extra };
  }
  if (t.endsWith('.pausing') && ds === 'paused') return { action: 'pause' };
  if (t.endsWith('.unpausing') && ds === 'running') return { action: 'unpause' };
  return null;
}

export function engineEvent(e: JournalEntry): EngineEvent | null {
  if (e.kind === 'container') {
    const a = containerAction(e);
    if (!a) return null;
    const ctx = e.context as { id: string; name: string; image: string; spec?: { labels?: Record<string, string> } };
    return {
      time: e.time,
      timeNano: timeNano(e.time),
      type: 'container',
      action: a.action,
      id: ctx.id,
      attributes: { ...(ctx.spec?.labels ?? {}), image: ctx.image, name: ctx.name, ...(a.extra ?? {}) },
      seq: e.seq,
    };
  }
  if ((e.kind === 'pull' || e.kind === 'push') && e.status === 'done' && e.state === 'done') {
    const ctx = e.context as { ref: string };
    return { time: e.time, timeNano: timeNano(e.time), type: 'image', action: e.kind, id: ctx.ref, attributes: { name: ctx.ref }, seq: e.seq };
  }
  return null;
}

export function matchesEventFilters(ev: EngineEvent, filters: Record<string, string[]>): boolean {
  for (const [key, values] of Object.entries(filters)) {
    if (values.length === 0) continue;
    switch (key) {
      case 'type':
        if (!values.includes(ev.type)) return false;
        break;
      case 'event':
        if (!values.includes(ev.action)) return false;
        break;
      case 'container':
        if (ev.type !== 'container' || !values.some((v) => ev.id.startsWith(v) || ev.attributes.name === v)) return false;
        break;
      case 'image':
        if (!values.some((v) => ev.attributes.image === v || ev.id === v)) return false;
        break;
      case 'label':
        if (!values.every((v) => { const [k, val] = v.split('='); return val === undefined ? k in ev.attributes : ev.attributes[k] === val; })) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
