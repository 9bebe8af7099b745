// `logs`: the shim's log file(s) for a container, with Docker's options:
// --tail, --since/--until, --timestamps, and --follow until the container stops.
import { open, stat, type FileHandle } from 'node:fs/promises';
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

/** How much of a log file is read at once: memory stays bounded whatever the file's size. */
const READ_CHUNK = 1 << 20;

/** Reads a log file's records chunk by chunk, from where it left off; a record cut by the chunk end waits for the next. */
class LogReader {
  private offset = 0;
  private pending: Buffer = Buffer.alloc(0);

  private constructor(private readonly fh: FileHandle, private readonly driver: LogSource['driver'], readonly ino: number) {}

  static async open(path: string, driver: LogSource['driver']): Promise<LogReader | null> {
    try {
      const fh = await open(path, 'r');
      return new LogReader(fh, driver, (await fh.stat()).ino);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      return null;
    }
  }

  /** The next records, or [] at the end of what is written so far. */
  async next(): Promise<LogRecord[]> {
    const buf = Buffer.allocUnsafe(READ_CHUNK);
    const { bytesRead } = await this.fh.read(buf, 0, READ_CHUNK, this.offset);
    if (bytesRead === 0) return [];
    this.offset += bytesRead;
    const all = this.pending.length ? Buffer.concat([this.pending, buf.subarray(0, bytesRead)]) : buf.subarray(0, bytesRead);
    const { records, used } = decode(this.driver, all);
    this.pending = Buffer.from(all.subarray(used));
    return records.map((r) => ({ ...r, data: Buffer.from(r.data) }));
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

/** The rotated files (oldest first: path.N … path.1), then the current one. */
async function logFiles(path: string): Promise<string[]> {
  const rotated: string[] = [];
  for (let i = 1; ; i++) {
    if ((await logSize(`${path}.${i}`)) === 0 && !(await exists(`${path}.${i}`))) break;
    rotated.unshift(`${path}.${i}`);
  }
  return [...rotated, path];
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

export async function streamLogs(src: LogSource, p: LogsParams, call: CallContext): Promise<null> {
  if (src.driver === 'none') {
    throw new BerthError('invalid_argument', 'configured logging driver does not support reading: the container was started with --log-driver none');
  }
  const since = timeNs(p.since, '--since');
  const until = timeNs(p.until, '--until');
  const inRange = (l: LogRecord) => (since === null || l.timeNs >= since) && (until === null || l.timeNs <= until);
  const emitLine = (l: LogRecord) => {
    const data = p.timestamps ? Buffer.concat([Buffer.from(`${formatNs(l.timeNs)} `), l.data]) : l.data;
    call.emit({ kind: 'output', stream: l.stream, data: new Uint8Array(data) });
  };
  /** Records as they come: whole records (many short lines each) per frame, unless each line needs its timestamp. */
  const emitRecords = async (records: LogRecord[]) => {
    for (const r of records) {
      if (!inRange(r)) continue;
      if (p.timestamps) for (const l of lines([r])) emitLine(l);
      else call.emit({ kind: 'output', stream: r.stream, data: new Uint8Array(r.data) });
    }
    await call.drained();
  };

  const files = await logFiles(src.path);
  let current: LogReader | null = null;
  try {
    // History: every file, oldest first. --tail keeps only the last lines seen.
    const tailN = p.tail === undefined || p.tail < 0 ? null : p.tail;
    const kept: LogRecord[] = [];
    for (const [i, file] of files.entries()) {
      const reader = await LogReader.open(file, src.driver);
      if (!reader) continue;
      const isCurrent = i === files.length - 1;
      try {
        for (let records = await reader.next(); records.length > 0; records = await reader.next()) {
          if (tailN === null) {
            await emitRecords(records);
          } else if (tailN > 0) {
            for (const l of lines(records)) if (inRange(l)) kept.push(l);
            if (kept.length > 2 * tailN + 1024) kept.splice(0, kept.length - tailN);
          }
        }
      } finally {
        if (isCurrent) current = reader;
        else await reader.close();
      }
    }
    if (tailN !== null) {
      for (const l of kept.slice(-tailN)) emitLine(l);
      await call.drained();
    }
    if (!p.follow || !src.running) return null;

    let stopped = false;
    void src.stopped.then(() => (stopped = true), () => (stopped = true));
    while (!call.signal.aborted) {
      const wasStopped = stopped;
      current ??= await LogReader.open(src.path, src.driver);
      if (current) {
        for (let records = await current.next(); records.length > 0; records = await current.next()) await emitRecords(records);
        // Rotated: the file we read was renamed away; go on with the new one.
        const ino = await stat(src.path).then((st) => st.ino, () => null);
        if (ino !== null && ino !== current.ino) {
          for (let records = await current.next(); records.length > 0; records = await current.next()) await emitRecords(records);
          await current.close();
          current = null;
          continue;
        }
      }
      if (wasStopped) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return null;
  } finally {
    await (current as LogReader | null)?.close();
  }
}

export async function logSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
