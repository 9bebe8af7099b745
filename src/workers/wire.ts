// msgpack framing for thread messages: pack into a fresh ArrayBuffer that is
// transferred, not copied, to the receiving thread.
import { Packr } from 'msgpackr';
import type { MessagePort, Worker } from 'node:worker_threads';

const packr = new Packr({ useRecords: false, moreTypes: true });

export function encode(msg: unknown): Uint8Array {
  const packed = packr.pack(msg);
  // pack() returns a view into a shared pool; copy before transferring it.
  const out = new Uint8Array(packed.length);
  out.set(packed);
  return out;
}

export function decode<T>(bytes: Uint8Array): T {
  return packr.unpack(bytes) as T;
}

export function post(target: Worker | MessagePort, msg: unknown): void {
  const bytes = encode(msg);
  target.postMessage(bytes, [bytes.buffer as ArrayBuffer]);
}
