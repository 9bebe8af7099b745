// `logs`: the shim's log file(s) for a container, with Docker's options:
// --tail, --since/--until, --timestamps, and --follow until the container stops.
import { open, stat } from 'node:fs/promises';
import { BerthError } from '../errors.js';
import { decodeRecords, LOG_RECORD_HEADER, type LogRecord } from '../logs/log-records.js';
import { parseJsonFileLines } from '../logs/json-file.js';
import type { CallContext } from '../daemon/call-context.js';
import type { LogsParams } from '../protocol/container-methods.js';

export interface LogSource {
  path: string;
  driver: 'local' | 'json-file' | 'none';
  /** resolves when the container is no longer running */
  stopped: Promise<unknown>;
  running: boolean;
}

function timeNs(s: string | undefined, what: string): bigint | null {
  if (s === undefined || s === '') return null;
  if (/^\d+(\.\d+)?$/.test(s)) return BigInt(Math.round(Number(s) * 1e3)) * 1_000_000n;
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) throw new BerthError('invalid_argument', `invalid value for ${what}: "${s}": use RFC 3339 or Unix seconds`);
  const frac = /\.(\d+)/.exec(s)?.[1] ?? '';
  return BigInt(Math.floor(ms / 1000)) * 1_000_000_000n + BigInt((frac + '000000000').slice(0, 9));
}

export function formatNs(ns: bigint): string {
  const ms = Number(ns / 1_000_000n);
  const iso = new Date(ms).toISOString().slice(0, 19);
  return `${iso}.${(ns % 1_000_000_000n).toString().padStart(9, '0')}Z`;
}

/** Splits records into lines (keeping newlines), each line stamped with its record's time. */
function* lines(records: Iterable<LogRecord>): Generator<LogRecord> {
  for (const r of records) {
    let start = 0;
    for (let i = 0; i < r.data.length; i++) {
      if (r.data[i] === 10) {
        yield { stream: r.stream, timeNs: r.timeNs, data: r.data.subarray(start, i + 1) };
        start = i + 1;
      }
    }
    if (start < r.data.length) yield { stream: r.stream, timeNs: r.timeNs, data: r.data.subarray(start) };
  }
}

function decode(driver: LogSource['driver'], buf: Buffer): { records: LogRecord[]; used: number } {
  if (driver === 'json-file') return parseJsonFileLines(buf);
  const records: LogRecord[] = [];
  let used = 0;
  for (const r of decodeRecords(buf)) {
    records.push(r);
    used += LOG_RECORD_HEADER + r.data.length;
  }
  return { records, used };
}

export async function streamLogs(src: LogSource, p: LogsParams, call: CallContext): Promise<null> {
  if (src.driver === 'none') {
    throw new BerthError('invalid_argument', 'configured logging driver does not support reading: the container was started with --log-driver none');
  }
  const since = timeNs(p.since, '--since');
  const until = timeNs(p.until, '--until');
  const emit = (l: LogRecord) => {
    if (since !== null && l.timeNs < since) return;
    if (until !== null && l.timeNs > until) return;
    const data = p.timestamps ? Buffer.concat([Buffer.from(`${formatNs(l.timeNs)} `), l.data]) : l.data;
    call.emit({ kind: 'output', stream: l.stream, data: new Uint8Array(data) });
  };

  let fh;
  try {
    fh = await open(src.path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return null;
  }
  try {
    let offset = 0;
    let pending: Buffer = Buffer.alloc(0);
    const readMore = async (): Promise<LogRecord[]> => {
      const size = (await fh.stat()).size;
      if (size <= offset) return [];
      const buf = Buffer.alloc(size - offset);
      const { bytesRead } = await fh.read(buf, 0, buf.length, offset);
      offset += bytesRead;
      const all = pending.length ? Buffer.concat([pending, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
      const { records, used } = decode(src.driver, all);
      pending = Buffer.from(all.subarray(used));
      return records.map((r) => ({ ...r, data: Buffer.from(r.data) }));
    };

    const first = [...lines(await readMore())];
    const tail = p.tail === undefined || p.tail < 0 ? first : p.tail === 0 ? [] : first.slice(-p.tail);
    for (const l of tail) emit(l);
    if (!p.follow || !src.running) return null;

    let stopped = false;
    void src.stopped.then(() => (stopped = true), () => (stopped = true));
    while (!call.signal.aborted) {
      for (const l of lines(await readMore())) emit(l);
      if (stopped) {
        for (const l of lines(await readMore())) emit(l);
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    return null;
  } finally {
    await fh.close();
  }
}

export async function logSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
