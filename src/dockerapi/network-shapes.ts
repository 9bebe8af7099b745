// Berth's network documents in Docker's list/inspect shape, and Docker's
// network list filters (name, id, label, driver, type, scope, dangling).
import { ApiError } from './http-util.js';

export type NetworkDoc = Record<string, unknown>;

const BUILTIN = new Set(['bridge', 'host', 'none']);
const FILTERS = new Set(['name', 'id', 'label', 'driver', 'type', 'scope', 'dangling']);

/** `Containers` only for inspect, as Docker's list leaves it empty; options only the default network has. */
export function networkDoc(d: NetworkDoc, withContainers: boolean): NetworkDoc {
  return {
    ...d,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: withContainers ? d.Containers ?? {} : {},
    Options: d.Name === 'bridge' ? d.Options ?? {} : {},
    Labels: d.Labels ?? {},
  };
}

function labelMatch(labels: Record<string, string>, want: string): boolean {
  const eq = want.indexOf('=');
  return eq < 0 ? Object.hasOwn(labels, want) : labels[want.slice(0, eq)] === want.slice(eq + 1);
}

/** Refuses filters Docker does not know, even when there is no network to test them on. */
export function checkNetworkFilters(filters: Record<string, string[]>): void {
  for (const key of Object.keys(filters)) if (!FILTERS.has(key)) throw new ApiError(400, `invalid filter '${key}': use ${[...FILTERS].join(', ')}`);
}

export function matchNetwork(d: NetworkDoc, filters: Record<string, string[]>): boolean {
  const name = String(d.Name);
  const id = String(d.Id);
  for (const [key, values] of Object.entries(filters)) {
    if (values.length === 0) continue;
    const one = (v: string): boolean => {
      switch (key) {
        case 'name': return name.includes(v);
        case 'id': return id.startsWith(v);
        case 'label': return labelMatch((d.Labels ?? {}) as Record<string, string>, v);
        case 'driver': return d.Driver === v;
        case 'scope': return v === 'local';
        case 'type':
          if (v !== 'custom' && v !== 'builtin') throw new ApiError(400, `invalid filter 'type=${v}': use custom or builtin`);
          return (v === 'builtin') === BUILTIN.has(name);
        default: {
          if (!['true', 'false', '1', '0'].includes(v)) throw new ApiError(400, `invalid filter 'dangling=${v}': use true or false`);
          const unused = Object.keys((d.Containers ?? {}) as object).length === 0 && !BUILTIN.has(name);
          return unused === (v === 'true' || v === '1');
        }
      }
    };
    // Docker: a label filter needs every value; the others any of them
    if (key === 'label' ? !values.every(one) : !values.some(one)) return false;
  }
  return true;
}
