// `ps` filters, as Docker defines them: status, name, label, ancestor, exited, id.
import { BerthError } from '../errors.js';
import type { ContainerSummary } from '../protocol/methods.js';

export type Row = ContainerSummary & { labels: Record<string, string>; imageId: string };

const KEYS = new Set(['status', 'name', 'label', 'ancestor', 'exited', 'id', 'health']);
const HEALTHS = new Set(['starting', 'healthy', 'unhealthy', 'none']);
const STATUSES = new Set(['created', 'restarting', 'running', 'removing', 'paused', 'exited', 'dead']);

export function checkFilters(filters: Record<string, string[]>): void {
  for (const [key, values] of Object.entries(filters)) {
    if (!KEYS.has(key)) throw new BerthError('invalid_argument', `invalid filter '${key}': use status, name, label, ancestor, exited, id or health`);
    if (key === 'health') {
      for (const v of values) if (!HEALTHS.has(v)) throw new BerthError('invalid_argument', `invalid filter 'health=${v}': use one of ${[...HEALTHS].join(', ')}`);
    }
    if (key === 'status') {
      for (const v of values) if (!STATUSES.has(v)) throw new BerthError('invalid_argument', `invalid filter 'status=${v}': use one of ${[...STATUSES].join(', ')}`);
    }
    if (key === 'exited') {
      for (const v of values) if (!/^-?\d+$/.test(v)) throw new BerthError('invalid_argument', `invalid filter 'exited=${v}': give an exit code`);
    }
  }
}

export function matchesLabel(labels: Record<string, string>, want: string): boolean {
  const eq = want.indexOf('=');
  if (eq < 0) return Object.hasOwn(labels, want);
  return labels[want.slice(0, eq)] === want.slice(eq + 1);
}

/** Each key must match (AND); values of one key are alternatives (OR), except labels (AND), as in Docker. */
export function matchesFilters(row: Row, filters: Record<string, string[]>): boolean {
  for (const [key, values] of Object.entries(filters)) {
    if (values.length === 0) continue;
    switch (key) {
      case 'status':
        if (!values.includes(row.state)) return false;
        break;
      case 'name':
        if (!values.some((v) => row.name.includes(v.replace(/^\//, '')))) return false;
        break;
      case 'id':
        if (!values.some((v) => row.id.startsWith(v))) return false;
        break;
      case 'label':
        if (!values.every((v) => matchesLabel(row.labels, v))) return false;
        break;
      case 'ancestor':
        if (!values.some((v) => row.image === v || row.imageId === v || row.imageId.startsWith(`sha256:${v}`) || row.image.split(':')[0] === v)) return false;
        break;
      case 'health':
        if (!values.includes(row.health ?? 'none')) return false;
        break;
      case 'exited':
        if (row.state !== 'exited' || !values.some((v) => Number(v) === row.exitCode)) return false;
        break;
    }
  }
  return true;
}
