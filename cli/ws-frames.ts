// RFC 6455 framing for the CLI's websocket client: encoding client frames
// (always masked) and decoding server frames (never masked) from a byte stream.
// Kept apart from the socket handling so each can be tested alone.
import { fillRandom } from './entropy.js';

export const OP_CONTINUATION = 0x0;
export const OP_TEXT = 0x1;
export const OP_BINARY = 0x2;
export const OP_CLOSE = 0x8;
export const OP_PING = 0x9;
export const OP_PONG = 0xa;

export interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

export class FrameError extends Error {
  constructor(message: string, readonly closeCode: number) {
    super(message);
  }
}

const maskScratch = Buffer.alloc(4);

/** One masked client frame holding the whole payload. */
export function encodeFrame(opcode: number, payload: Buffer, fin = true): Buffer {
  const len = payload.length;
  const lenBytes = len < 126 ? 0 : len < 0x10000 ? 2 : 8;
  const headerLen = 2 + lenBytes + 4;
  const out = Buffer.allocUnsafe(headerLen + len);
  out[0] = (fin ? 0x80 : 0) | opcode;
  if (lenBytes === 0) out[1] = 0x80 | len;
  else if (lenBytes === 2) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeBigUInt64BE(BigInt(len), 2);
  }
  fillRandom(maskScratch);
  maskScratch.copy(out, 2 + lenBytes);
  mask(payload, maskScratch, out, headerLen);
  return out;
}

/** XORs `src` with the 4-byte key into `dst` at `offset`, a 32-bit word at a time where it can. */
function mask(src: Buffer, key: Buffer, dst: Buffer, offset: number): void {
  const len = src.length;
  const words = len >>> 2;
  const k = key.readUInt32LE(0);
  for (let i = 0; i < words; i++) {
    const at = i << 2;
    dst.writeInt32LE((src.readInt32LE(at) ^ k) | 0, offset + at);
  }
  for (let i = words << 2; i < len; i++) dst[offset + i] = src[i] ^ key[i & 3];
}

/**
 * Decodes server frames from the bytes given to push(). Frames larger than
 * maxPayload are refused (the daemon never sends one: its frames are chunked).
 */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  constructor(private readonly maxPayload: number) {}

  push(bytes: Buffer): void {
    this.chunks.push(bytes);
    this.buffered += bytes.length;
  }

  /** The next complete frame, or undefined until more bytes arrive. Throws FrameError on a protocol violation. */
  next(): Frame | undefined {
    if (this.buffered < 2) return undefined;
    const head = this.peek(Math.min(this.buffered, 14));
    const b0 = head[0];
    const b1 = head[1];
    if (b0 & 0x70) throw new FrameError('the daemon sent a frame with reserved bits set', 1002);
    if (b1 & 0x80) throw new FrameError('the daemon sent a masked frame', 1002);
    let len = b1 & 0x7f;
    let headerLen = 2;
    if (len === 126) {
      if (head.length < 4) return undefined;
      len = head.readUInt16BE(2);
      headerLen = 4;
    } else if (len === 127) {
      if (head.length < 10) return undefined;
      const big = head.readBigUInt64BE(2);
      if (big > BigInt(this.maxPayload)) throw new FrameError('the daemon sent a frame larger than the client accepts', 1009);
      len = Number(big);
      headerLen = 10;
    }
    if (len > this.maxPayload) throw new FrameError('the daemon sent a frame larger than the client accepts', 1009);
    if (this.buffered < headerLen + len) return undefined;
    this.take(headerLen);
    return { fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload: this.take(len) };
  }

  /** The first n buffered bytes (n ≤ 14), copied only when they span chunks. */
  private peek(n: number): Buffer {
    if (this.chunks[0].length >= n) return this.chunks[0];
    const head = Buffer.allocUnsafe(n);
    let filled = 0;
    for (const c of this.chunks) {
      filled += c.copy(head, filled, 0, Math.min(c.length, n - filled));
      if (filled === n) break;
    }
    return head;
  }

  private take(n: number): Buffer {
    if (n === 0) return Buffer.alloc(0);
    const first = this.chunks[0];
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const c = this.chunks[0];
        const part = Math.min(c.length, n - filled);
        c.copy(out, filled, 0, part);
        filled += part;
        if (part === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(part);
      }
    }
    this.buffered -= n;
    return out;
  }
}
