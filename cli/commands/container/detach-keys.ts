// Docker's detach keys ("ctrl-p,ctrl-q" by default, --detach-keys to change):
// parsing the spec, and spotting the sequence in stdin bytes. A partial match
// is held back until the next byte decides: the whole sequence is swallowed,
// anything else is passed on with the held bytes, like Docker's escape proxy.
import { BerthError } from '../../../src/errors.js';

export const DEFAULT_DETACH_KEYS = 'ctrl-p,ctrl-q';

const CTRL_SPECIAL: Record<string, number> = { '@': 0, '[': 27, '\\': 28, ']': 29, '^': 30, _: 31 };

export function parseDetachKeys(spec: string): number[] {
  const bad = (key: string): never => {
    throw new BerthError('invalid_argument',
      `invalid --detach-keys "${spec}": unknown key "${key}". Use single characters or ctrl-<a-z, @, [, \\, ], ^, _>, ` +
      'separated by commas, e.g. ctrl-p,ctrl-q');
  };
  return spec.split(',').map((key) => {
    if (key.length === 1) return key.charCodeAt(0);
    const m = /^ctrl-(.)$/i.exec(key);
    if (!m) return bad(key);
    const c = m[1].toLowerCase();
    if (c >= 'a' && c <= 'z') return c.charCodeAt(0) - 96;
    return CTRL_SPECIAL[c] ?? bad(key);
  });
}

export interface DetachScan {
  /** Bytes to forward to the container now. */
  forward: Buffer;
  /** True when the sequence was completed: stop reading, detach. */
  detached: boolean;
}

export class DetachDetector {
  private matched = 0;

  constructor(private readonly keys: number[]) {
    if (keys.length === 0) throw new BerthError('invalid_argument', '--detach-keys must name at least one key');
  }

  feed(chunk: Uint8Array): DetachScan {
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) return { forward: Buffer.from(out), detached: true };
        continue;
      }
      // Mismatch: the held prefix was ordinary input after all.
      out.push(...this.keys.slice(0, this.matched));
      this.matched = 0;
      if (byte === this.keys[0]) {
        this.matched = 1;
        if (this.keys.length === 1) return { forward: Buffer.from(out), detached: true };
      } else {
        out.push(byte);
      }
    }
    return { forward: Buffer.from(out), detached: false };
  }
}
