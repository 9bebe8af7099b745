// Decodes the shim's log file: records of [1 byte stream][8 bytes BE ns
// timestamp][4 bytes BE length][bytes]. A record cut short by a crash at the
// end of the file is ignored.

export interface LogRecord { stream: 1 | 2; timeNs: bigint; data: Uint8Array }

export const LOG_RECORD_HEADER = 13;
const HEADER = LOG_RECORD_HEADER;

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
