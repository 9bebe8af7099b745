// `events`: replays the journal from --since, then follows it. The journal is
// read by sequence number, so a slow reader is never handed a gap: a
// notification only tells it to read on from where it is.
import { BerthError } from '../errors.js';
import { engineEvent, matchesEventFilters } from '../views/engine-events.js';
import type { MetadataDb } from '../store/db.js';
import type { ActorRouter } from '../workers/router.js';
import type { CallContext } from '../daemon/call-context.js';
import type { EventsParams } from '../protocol/container-methods.js';

const FILTER_KEYS = new Set(['type', 'event', 'container', 'image', 'label']);

/** A --since/--until value (RFC 3339 or Unix seconds, as the CLI sends it) in ms; null when absent. */
export function timeMs(s: string | undefined, what: string): number | null {
  if (s === undefined || s === '') return null;
  if (/^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw new BerthError('invalid_argument', `invalid value for ${what}: "${s}": use RFC 3339 or Unix seconds`);
  return ms;
}

export class EventsService {
  constructor(private readonly db: MetadataDb, private readonly router: ActorRouter) {}

  async stream(p: EventsParams, call: CallContext): Promise<null> {
    const filters = p.filters ?? {};
    for (const k of Object.keys(filters)) {
      if (!FILTER_KEYS.has(k)) throw new BerthError('invalid_argument', `invalid filter '${k}': use type, event, container, image or label`);
    }
    const since = timeMs(p.since, '--since');
    const until = timeMs(p.until, '--until');
    let nextSeq = 1;
    const pump = () => {
      for (const { key, value } of this.db.journal.getRange({ start: nextSeq })) {
        nextSeq = key + 1;
        const ev = engineEvent(value);
        if (!ev) continue;
        const ms = Date.parse(ev.time);
        if (since !== null && ms < since) continue;
        if (until !== null && ms > until) continue;
        if (matchesEventFilters(ev, filters)) call.emit({ kind: 'event', event: ev });
      }
    };
    if (since === null) {
      // Without --since, only what happens from now on.
      for (const key of this.db.journal.getKeys({ reverse: true, limit: 1 })) nextSeq = key + 1;
    } else {
      pump();
    }
    if (until !== null && until <= Date.now()) return null;
    await new Promise<void>((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const finish = () => {
        unsubscribe();
        if (timer) clearTimeout(timer);
        resolve();
      };
      const unsubscribe = this.router.onState(() => pump());
      call.signal.addEventListener('abort', finish, { once: true });
      if (until !== null) timer = setTimeout(() => { pump(); finish(); }, until - Date.now());
    });
    return null;
  }
}
