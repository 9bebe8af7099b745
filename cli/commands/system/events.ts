// berth events [--since T] [--until T] [--filter KEY=VALUE]... [--format F]
// Streams the daemon's events until Ctrl-C (or until --until has passed).
// Each event arrives as a `data` event holding one JSON-encoded EngineEvent.
import type { EngineEvent, EventsParams } from '../../../src/protocol/container-methods.js';
import type { StreamEvent } from '../../../src/protocol/frames.js';
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { cancelOnInterrupt } from '../../interrupt.js';
import { resolveTimeArg } from '../../format/time-arg.js';
import { compileTemplate } from '../../format/template.js';
import { dockerEvent, eventLine } from '../../format/event-line.js';
import { parseFilters } from '../container/filters.js';

export function toEventsParams(opts: Record<string, unknown>, now: number = Date.now()): EventsParams {
  const params: EventsParams = {};
  if (opts.since !== undefined) params.since = resolveTimeArg('--since', String(opts.since), now);
  if (opts.until !== undefined) params.until = resolveTimeArg('--until', String(opts.until), now);
  const filters = parseFilters(opts.filter as string[] | undefined);
  if (filters) params.filters = filters;
  return params;
}

/** The EngineEvent carried by a stream event, if it carries one. */
export function engineEventOf(ev: StreamEvent): EngineEvent | undefined {
  const carried = ev as { kind: string; event?: unknown; data?: Uint8Array };
  if (carried.kind === 'event' && carried.event && typeof carried.event === 'object') return carried.event as EngineEvent;
  if (carried.kind !== 'data' || !carried.data) return undefined;
  try {
    return JSON.parse(Buffer.from(carried.data).toString('utf8')) as EngineEvent;
  } catch {
    return undefined;
  }
}

export default async function events(inv: Invocation): Promise<number> {
  const params = toEventsParams(inv.opts);
  const format = inv.opts.format as string | undefined;
  const template = format !== undefined && format.trim() !== 'json' ? compileTemplate(format) : undefined;
  const render = (ev: EngineEvent): string => {
    if (template) return `${template.render(dockerEvent(ev))}\n`;
    if (format !== undefined) return `${JSON.stringify(dockerEvent(ev))}\n`;
    return eventLine(ev);
  };
  await withDaemon(inv, (client) => client.call('system.events', params, {
    signal: cancelOnInterrupt(),
    onEvent: (ev) => {
      const event = engineEventOf(ev);
      if (event) process.stdout.write(render(event));
    },
  }));
  return 0;
}
