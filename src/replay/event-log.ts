// The portable form of a journal slice: what `berth debug journal` writes and
// `berth debug replay` reads. JSON (readable, diffable) or msgpack (compact,
// exact for binary payloads); the reader tells them apart by the first byte.
import { pack, unpack } from 'msgpackr';
import type { JournalEntry } from '../store/journal-entry.js';

export const EVENT_LOG_FORMAT = 'berth.journal';
export const EVENT_LOG_VERSION = 1;

export interface EventLog {
  format: typeof EVENT_LOG_FORMAT;
  version: number;
  exportedAt: string;
  /** the filter the slice was taken with, for the record */
  slice: { actor?: string; since?: string; until?: string };
  entries: JournalEntry[];
}

export class EventLogError extends Error {}

export function encodeEventLog(log: EventLog, format: 'json' | 'msgpack'): Buffer {
  return format === 'json' ? Buffer.from(`${JSON.stringify(log, null, 1)}\n`) : pack(log);
}

export function decodeEventLog(bytes: Uint8Array): EventLog {
  let parsed: unknown;
  try {
    parsed = bytes[0] === 0x7b ? JSON.parse(Buffer.from(bytes).toString('utf8')) : unpack(bytes);
  } catch (err) {
    throw new EventLogError(`not a Berth event log: ${(err as Error).message}`);
  }
  const log = parsed as Partial<EventLog> | null;
  if (!log || typeof log !== 'object' || log.format !== EVENT_LOG_FORMAT || !Array.isArray(log.entries)) {
    throw new EventLogError(`not a Berth event log (expected an object with format "${EVENT_LOG_FORMAT}" and entries); export one with \`berth debug journal -o FILE\``);
  }
  if (typeof log.version !== 'number' || log.version > EVENT_LOG_VERSION) {
    throw new EventLogError(`event log version ${String(log.version)} is newer than this berth understands (${EVENT_LOG_VERSION})`);
  }
  for (const [i, e] of log.entries.entries()) {
    if (!e || typeof e.seq !== 'number' || typeof e.actorId !== 'string' || typeof e.kind !== 'string' || !e.event || typeof e.event.type !== 'string') {
      throw new EventLogError(`event log entry ${i} is malformed: each entry needs seq, actorId, kind and event.type`);
    }
  }
  return log as EventLog;
}
