// Reads the shim's log file: records of [1 byte stream][8 bytes BE ns
// timestamp][4 bytes BE length][bytes]. A record cut short by a crash at the
// end of the file is ignored.
import { open } from 'node:fs/promises';

export interface LogRecord { stream: 1 | 2; timeNs: bigint; data: Uint8Array }

const HEADER = 13;

export function* decodeRecords(buf: Buffer): Generator<LogRecord> {
  let off = 0;
  while (off + HEADER <= buf.length) {
    const stream = buf[off];
    const timeNs = buf.readBigUInt64BE(off + 1);
    const len = buf.readUInt32BE(off + 9);
    if (off + HEADER + len > buf.length) return;
    if (stream === 1 || stream === 2) yield { stream, timeNs, data: buf.subarray(off + HEADER, off + HEADER + len) };
    off += HEADER + len;
  }
}

/** Streams a log file's records in chunks, without reading it whole. */
export async function* readLogFile(path: string): AsyncGenerator<LogRecord> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  try {
    let pending = Buffer.alloc(0);
    const chunk = Buffer.alloc(1 << 20);
    for (;;) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) break;
      const buf = Buffer.concat([pending, chunk.subarray(0, bytesRead)]);
      let used = 0;
      for (const rec of decodeRecords(buf)) {
        used += HEADER + rec.data.length;
        yield { ...rec, data: new Uint8Array(rec.data) };
      }
      pending = Buffer.from(buf.subarray(used));
    }
  } finally {
    await fh.close();
  }
}
