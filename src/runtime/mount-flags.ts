// -v/--volume and --mount of `run` and `create` (and the Docker API's Binds):
// Docker's two spellings of bind mounts, volumes and tmpfs mounts, turned into
// the daemon's MountRequests. Shared by the CLI and the daemon's Docker API.
import { BerthError } from '../errors.js';
import type { MountRequest } from './user-mounts.js';

function invalid(spec: string, why: string): BerthError {
  return new BerthError('invalid_argument', `invalid mount spec "${spec}": ${why}`);
}

/** -v [SOURCE:]TARGET[:ro|rw]; SOURCE is a host path (starts with /) or a volume name. */
export function parseVolumeFlag(spec: string): MountRequest {
  const parts = spec.split(':');
  if (parts.some((p) => p === '') || parts.length > 3) throw invalid(spec, 'use -v NAME:/path, -v /host/path:/path or -v /path, with an optional :ro or :rw');
  let readonly = false;
  if (parts.length === 3 || (parts.length === 2 && (parts[1] === 'ro' || parts[1] === 'rw'))) {
    const mode = parts.pop() as string;
    if (mode !== 'ro' && mode !== 'rw') throw invalid(spec, `invalid mode "${mode}": use ro or rw`);
    readonly = mode === 'ro';
  }
  const target = parts.pop() as string;
  if (!target.startsWith('/')) throw invalid(spec, `the mount point "${target}" must be an absolute path`);
  const source = parts.pop();
  if (source === undefined) return { type: 'volume', target, readonly };
  if (source.startsWith('/')) return { type: 'bind', source, target, readonly, createSource: true };
  return { type: 'volume', source, target, readonly };
}

function flag(spec: string, key: string, value: string | undefined): boolean {
  if (value === undefined || value === 'true' || value === '1') return true;
  if (value === 'false' || value === '0') return false;
  throw invalid(spec, `invalid value for ${key}: "${value}" (use true or false)`);
}

function bytes(spec: string, value: string): number {
  const m = /^(\d+)([kmg]?)b?$/i.exec(value);
  if (!m) throw invalid(spec, `invalid tmpfs-size "${value}": use a number of bytes with an optional k, m or g`);
  return Number(m[1]) * { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
}

/** --mount type=bind|volume|tmpfs,source=…,target=…[,readonly][,tmpfs-size=…][,tmpfs-mode=…] */
export function parseMountFlag(spec: string): MountRequest {
  const fields = new Map<string, string | undefined>();
  for (const field of spec.split(',')) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).trim().toLowerCase();
    if (key === '') throw invalid(spec, 'empty field');
    fields.set(key, eq < 0 ? undefined : field.slice(eq + 1));
  }
  const r: Partial<MountRequest> = { type: 'volume' };
  for (const [key, value] of fields) {
    switch (key) {
      case 'type':
        if (value !== 'bind' && value !== 'volume' && value !== 'tmpfs') throw invalid(spec, `type "${value ?? ''}" is not supported: use bind, volume or tmpfs`);
        r.type = value;
        break;
      case 'source': case 'src':
        r.source = value;
        break;
      case 'target': case 'destination': case 'dst':
        r.target = value;
        break;
      case 'readonly': case 'ro':
        r.readonly = flag(spec, key, value);
        break;
      case 'tmpfs-size':
        r.tmpfsSize = bytes(spec, value ?? '');
        break;
      case 'tmpfs-mode':
        if (!/^[0-7]{1,4}$/.test(value ?? '')) throw invalid(spec, `invalid tmpfs-mode "${value ?? ''}": use octal, e.g. 1777`);
        r.tmpfsMode = parseInt(value as string, 8);
        break;
      default:
        throw invalid(spec, `unknown field "${key}": use type, source, target, readonly, tmpfs-size or tmpfs-mode`);
    }
  }
  if (!r.target) throw invalid(spec, 'target is required (e.g. target=/data)');
  if (!r.target.startsWith('/')) throw invalid(spec, `the target "${r.target}" must be an absolute path`);
  if (r.type === 'bind' && !r.source) throw invalid(spec, 'a bind mount needs source=/host/path');
  if (r.type === 'tmpfs' && r.source) throw invalid(spec, 'a tmpfs mount takes no source');
  if (r.type !== 'tmpfs' && (r.tmpfsSize !== undefined || r.tmpfsMode !== undefined)) throw invalid(spec, 'tmpfs-size and tmpfs-mode are for type=tmpfs only');
  return r as MountRequest;
}

/** All of a run's mounts, -v first, then --mount. */
export function parseMountFlags(volumes: string[] = [], mounts: string[] = []): MountRequest[] | undefined {
  const out = [...volumes.map(parseVolumeFlag), ...mounts.map(parseMountFlag)];
  return out.length > 0 ? out : undefined;
}
