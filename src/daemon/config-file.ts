// berthd's configuration file, Docker's daemon.json format for the keys
// Berth knows: registry-mirrors, insecure-registries,
// max-concurrent-downloads, and Berth's own in-memory-blob-max. A missing file at the default path means
// defaults; a file given with --config-file must exist. Anything else that
// is wrong (bad JSON, unknown keys, bad values) stops the daemon with a
// message naming the key.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { BerthError } from '../errors.js';
import { DEFAULT_REGISTRY_CONFIG, parseCidr, type RegistryConfig } from '../registry/registry-config.js';

export const DEFAULT_CONFIG_FILE = '/etc/berth/daemon.json';

export interface DaemonFileConfig {
  registry: RegistryConfig;
}

const KNOWN = ['registry-mirrors', 'insecure-registries', 'max-concurrent-downloads', 'in-memory-blob-max'] as const;

function bad(path: string, key: string, why: string): BerthError {
  return new BerthError('invalid_argument', `configuration file ${path}: "${key}" ${why}`);
}

function stringList(path: string, key: string, v: unknown): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && x.trim() !== '')) throw bad(path, key, 'must be a list of non-empty strings');
  return (v as string[]).map((x) => x.trim());
}

function mirror(path: string, m: string): string {
  let u: URL;
  try {
    u = new URL(m);
  } catch {
    throw bad(path, 'registry-mirrors', `has "${m}", which is not a URL; write it as https://host[:port]`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad(path, 'registry-mirrors', `has "${m}": only http and https mirrors are supported`);
  if ((u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) throw bad(path, 'registry-mirrors', `has "${m}": a mirror is a scheme and host only, without a path`);
  return `${u.protocol}//${u.host}`;
}

function insecureEntry(path: string, e: string): string {
  if (e.includes('://')) throw bad(path, 'insecure-registries', `has "${e}": give host[:port] or a CIDR, without a scheme`);
  if (e.includes('/')) {
    if (!parseCidr(e)) throw bad(path, 'insecure-registries', `has "${e}", which is not a valid CIDR such as 10.0.0.0/8`);
    return e;
  }
  const hostish = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/.test(e) || isIP(e) === 6;
  if (!hostish) throw bad(path, 'insecure-registries', `has "${e}", which is not a host[:port] or CIDR`);
  return e;
}

/** Validates a parsed daemon.json document. */
export function parseDaemonConfig(doc: unknown, path: string): DaemonFileConfig {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new BerthError('invalid_argument', `configuration file ${path} must hold a JSON object`);
  }
  const o = doc as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !(KNOWN as readonly string[]).includes(k));
  if (unknown.length > 0) {
    throw new BerthError('invalid_argument', `configuration file ${path}: unknown key${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; berthd knows ${KNOWN.join(', ')}`);
  }
  const registry: RegistryConfig = { ...DEFAULT_REGISTRY_CONFIG };
  if (o['registry-mirrors'] !== undefined) registry.mirrors = stringList(path, 'registry-mirrors', o['registry-mirrors']).map((m) => mirror(path, m));
  if (o['insecure-registries'] !== undefined) {
    registry.insecureRegistries = stringList(path, 'insecure-registries', o['insecure-registries']).map((e) => insecureEntry(path, e));
  }
  const mcd = o['max-concurrent-downloads'];
  if (mcd !== undefined) {
    if (typeof mcd !== 'number' || !Number.isInteger(mcd) || mcd < 1 || mcd > 64) throw bad(path, 'max-concurrent-downloads', `must be a whole number from 1 to 64, not ${JSON.stringify(mcd)}`);
    registry.maxConcurrentDownloads = mcd;
  }
  const imb = o['in-memory-blob-max'];
  if (imb !== undefined) {
    if (typeof imb !== 'number' || !Number.isSafeInteger(imb) || imb < 0) throw bad(path, 'in-memory-blob-max', `must be a number of bytes (0 or more; 0 writes every blob as it arrives), not ${JSON.stringify(imb)}`);
    registry.inMemoryBlobMax = imb;
  }
  return { registry };
}

/** Reads the file; `explicit` is true when the path came from --config-file (then it must exist). */
export function loadDaemonConfig(path: string, explicit: boolean): DaemonFileConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !explicit) return { registry: { ...DEFAULT_REGISTRY_CONFIG } };
    throw new BerthError('invalid_argument', `cannot read configuration file ${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new BerthError('invalid_argument', `configuration file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  return parseDaemonConfig(doc, path);
}
