// --since / --until values as Docker takes them: RFC 3339 (or its shorter
// forms, local time when no zone is given), Unix seconds with an optional
// fraction, or a Go duration ("10m", "1h30m") counted back from now. All are
// sent to the daemon as RFC 3339 UTC.
import { BerthError } from '../../src/errors.js';

export { parseGoDuration } from '../../src/util/go-duration.js';
import { parseGoDuration } from '../../src/util/go-duration.js';

/** "2026-11-28T04:00:00.123456789Z": UTC, fraction kept to the nanosecond (trailing zeros trimmed). */
function rfc3339(epochNs: bigint): string {
  const ms = epochNs / 1_000_000n - (epochNs % 1_000_000n < 0n ? 1n : 0n);
  const base = new Date(Number(ms)).toISOString().slice(0, 19);
  const nanos = ((epochNs % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n;
  const frac = nanos === 0n ? '' : `.${nanos.toString().padStart(9, '0').replace(/0+$/, '')}`;
  return `${base}${frac}Z`;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?(Z|[+-]\d{2}:\d{2})?$/i;

function parseDateTime(text: string): bigint | undefined {
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = m;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}${zone ? zone.toUpperCase() : ''}`;
  // No zone: local time, as Docker's CLI does.
  const ms = zone ? Date.parse(iso) : new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)).getTime();
  if (Number.isNaN(ms) || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt(frac.padEnd(9, '0') || '0');
}

/** Resolves one --since/--until value against `now` (ms since the epoch). */
export function resolveTimeArg(flag: string, value: string, now: number = Date.now()): string {
  const text = value.trim();
  if (/^\d+(\.\d{1,9})?$/.test(text)) {
    const [secs, frac = ''] = text.split('.');
    return rfc3339(BigInt(secs) * 1_000_000_000n + BigInt(frac.padEnd(9, '0') || '0'));
  }
  const duration = parseGoDuration(text);
  if (duration !== undefined) return rfc3339(BigInt(now) * 1_000_000n - duration);
  const at = parseDateTime(text);
  if (at !== undefined) return rfc3339(at);
  throw new BerthError('invalid_argument',
    `invalid value for ${flag}: "${value}" is not a time. Use RFC 3339 (2024-01-02T15:04:05Z), ` +
    'Unix seconds (1704207845) or a duration back from now (10m, 1h30m).');
}
