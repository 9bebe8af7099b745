// Go's time.ParseDuration ("1h30m", "500ms"), as Docker's flags and API take durations.

const UNIT_NS: Record<string, bigint> = {
  ns: 1n, us: 1_000n, 'µs': 1_000n, 'μs': 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n,
};

/** Go's time.ParseDuration, in nanoseconds; undefined when `text` is not a duration. */
export function parseGoDuration(text: string): bigint | undefined {
  const m = /^([-+]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+|0)$/.exec(text);
  if (!m) return undefined;
  if (m[2] === '0') return 0n;
  let total = 0n;
  for (const part of m[2].matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    const [whole, frac = ''] = part[1].split('.');
    const unit = UNIT_NS[part[2]];
    const scale = 10n ** BigInt(frac.length);
    total += BigInt(whole || '0') * unit + (BigInt(frac || '0') * unit) / scale;
  }
  return m[1] === '-' ? -total : total;
}
