// Docker's multiplexed stream framing (logs, attach and exec without a TTY):
// an 8-byte header — stream (0 stdin, 1 stdout, 2 stderr), three zero bytes,
// the payload length as a big-endian uint32 — then the payload.
export function stdFrame(stream: 0 | 1 | 2, data: Uint8Array): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(data.length, 4);
  return Buffer.concat([header, data]);
}

export const MULTIPLEXED = 'application/vnd.docker.multiplexed-stream';
export const RAW_STREAM = 'application/vnd.docker.raw-stream';
