// Signal names and numbers (x86_64 Linux), as Docker's --signal / --stop-signal take them.
import { constants } from 'node:os';
import { BerthError } from '../errors.js';

const BY_NAME = constants.signals as Record<string, number>;

/** "KILL", "SIGKILL", "9", "SIGRTMIN+3" → number. */
export function parseSignal(s: string | number | undefined, fallback = 15): number {
  if (s === undefined || s === '') return fallback;
  if (typeof s === 'number') return checkRange(s, String(s));
  if (/^\d+$/.test(s)) return checkRange(Number(s), s);
  const name = s.toUpperCase().startsWith('SIG') ? s.toUpperCase() : `SIG${s.toUpperCase()}`;
  const rt = /^SIGRTMIN(?:\+(\d+))?$/.exec(name) ?? /^SIGRTMAX(?:-(\d+))?$/.exec(name);
  if (rt) return checkRange(name.startsWith('SIGRTMIN') ? 34 + Number(rt[1] ?? 0) : 64 - Number(rt[1] ?? 0), s);
  const n = BY_NAME[name];
  if (n === undefined) throw new BerthError('invalid_argument', `invalid signal: ${s}`);
  return n;
}

function checkRange(n: number, s: string): number {
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new BerthError('invalid_argument', `invalid signal: ${s}`);
  return n;
}
