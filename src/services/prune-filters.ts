// Docker's prune filters: until=TIMESTAMP (created before; the CLI turns
// durations into RFC 3339), label=KEY[=VALUE] and label!=KEY[=VALUE].
import { BerthError } from '../errors.js';

const KEYS = new Set(['until', 'label', 'label!']);

export interface Prunable { created: string | null; labels: Record<string, string> }

function labelMatches(labels: Record<string, string>, want: string): boolean {
  const eq = want.indexOf('=');
  if (eq < 0) return Object.hasOwn(labels, want);
  return labels[want.slice(0, eq)] === want.slice(eq + 1);
}

function instant(value: string): number {
  const t = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (!Number.isFinite(t)) throw new BerthError('invalid_argument', `invalid filter 'until=${value}': give a timestamp (RFC 3339 or Unix seconds) or a duration such as 10m`);
  return t;
}

/** Checks the filters and returns the test a candidate must pass to be pruned. */
export function pruneFilter(filters: Record<string, string[]> | undefined): (c: Prunable) => boolean {
  const f = filters ?? {};
  for (const key of Object.keys(f)) {
    if (!KEYS.has(key)) throw new BerthError('invalid_argument', `invalid filter '${key}': prune takes until, label and label!`);
  }
  const until = (f.until ?? []).map(instant);
  return (c) => {
    const created = c.created ? Date.parse(c.created) : 0;
    if (until.some((t) => !(created < t))) return false;
    if (!(f.label ?? []).every((l) => labelMatches(c.labels, l))) return false;
    if ((f['label!'] ?? []).some((l) => labelMatches(c.labels, l))) return false;
    return true;
  };
}
