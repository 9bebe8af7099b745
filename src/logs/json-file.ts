// Reads Docker's json-file log format: one {"log","stream","time"} object per line.
import type { LogRecord } from './log-records.js';

function toNs(time: string): bigint {
  const ms = Date.parse(time);
  const frac = /\.(\d+)/.exec(time)?.[1] ?? '';
  return BigInt(Math.floor(ms / 1000)) * 1_000_000_000n + BigInt((frac + '000000000').slice(0, 9));
}

/** Complete lines of `buf` as records; `used` is how many bytes they took. */
export function parseJsonFileLines(buf: Buffer): { records: LogRecord[]; used: number } {
  const records: LogRecord[] = [];
  let start = 0;
  for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
    const line = buf.subarray(start, nl).toString('utf8');
    start = nl + 1;
    if (!line) continue;
    try {
      const o = JSON.parse(line) as { log?: string; stream?: string; time?: string };
      records.push({ stream: o.stream === 'stderr' ? 2 : 1, timeNs: o.time ? toNs(o.time) : 0n, data: Buffer.from(o.log ?? '', 'utf8') });
    } catch {
      /* a torn line from a crash: skip it */
    }
  }
  return { records, used: start };
}
