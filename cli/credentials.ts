// Registry credentials as `berth login` stores them: ~/.berth/config.json
// (or $BERTH_CONFIG/config.json), mode 0600, in Docker's format
//   { "auths": { "127.0.0.1:5000": { "auth": base64("user:password") } } }
// with Docker Hub under "https://index.docker.io/v1/". Written atomically
// (temp file, fsync, rename). The CLI sends the credential for a
// reference's registry with pull/push/run; the daemon never stores it.
import { mkdirSync, readFileSync } from 'node:fs';
import { writeFileAtomicSync } from './atomic-write-sync.js';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { BerthError } from '../src/errors.js';
import { parseReference } from '../src/image/reference.js';

export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

interface ConfigFile { auths?: Record<string, { auth?: string }>; [k: string]: unknown }

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.BERTH_CONFIG ?? join(homedir(), '.berth'), 'config.json');
}

/** The auths key for a server as typed by the user ("docker.io", "https://host:5000/", "host:5000"). */
export function serverKey(server: string): string {
  const host = server.replace(/^https?:\/\//, '').replace(/\/.*$/, '').toLowerCase();
  if (host === '' ) throw new BerthError('invalid_argument', 'no registry server given');
  if (['docker.io', 'index.docker.io', 'registry-1.docker.io'].includes(host)) return DOCKER_HUB_KEY;
  return host;
}

function read(path: string): ConfigFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new BerthError('io_error', `cannot read ${path}: ${(err as Error).message}`);
  }
  try {
    const doc = JSON.parse(text) as unknown;
    if (doc && typeof doc === 'object' && !Array.isArray(doc)) return doc as ConfigFile;
  } catch {
    /* fall through */
  }
  throw new BerthError('invalid_argument', `${path} is not a valid config file (expected a JSON object); fix or remove it`);
}

function write(path: string, doc: ConfigFile): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileAtomicSync(path, `${JSON.stringify(doc, null, '\t')}\n`, 0o600);
}

export function storeCredential(server: string, username: string, password: string, path = configPath()): void {
  const doc = read(path);
  doc.auths = { ...(doc.auths ?? {}), [serverKey(server)]: { auth: Buffer.from(`${username}:${password}`).toString('base64') } };
  write(path, doc);
}

/** Removes the server's credential; false when there was none. */
export function removeCredential(server: string, path = configPath()): boolean {
  const doc = read(path);
  const key = serverKey(server);
  if (!doc.auths || !(key in doc.auths)) return false;
  delete doc.auths[key];
  write(path, doc);
  return true;
}

/** The stored `auth` (base64 user:password) for the registry of image reference `name`, if any. */
export function authForImage(name: string, path = configPath()): string | undefined {
  let registry: string;
  try {
    registry = parseReference(name).registry;
  } catch {
    return undefined; // the daemon reports the bad reference
  }
  return authForServer(registry, path);
}

export function authForServer(server: string, path = configPath()): string | undefined {
  const auth = read(path).auths?.[serverKey(server)]?.auth;
  return typeof auth === 'string' && auth !== '' ? auth : undefined;
}
