// Parsing and validation of an image config blob.
import { BerthError } from '../errors.js';
import { isSha256Digest } from './digest.js';
import type { ImageConfig } from './manifest-types.js';

function bad(why: string): BerthError {
  return new BerthError('invalid_argument', `invalid image config: ${why}`);
}

function checkStringArray(v: unknown, field: string, allowNull: boolean): void {
  if (v === undefined || (allowNull && v === null)) return;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw bad(`${field} must be an array of strings`);
}

export function parseImageConfig(bytes: Uint8Array): ImageConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (err) {
    throw new BerthError('invalid_argument', `invalid image config: not JSON (${(err as Error).message})`, { cause: err });
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw bad('expected a JSON object');
  const c = doc as Record<string, unknown>;
  if (typeof c.architecture !== 'string') throw bad('"architecture" is missing');
  if (typeof c.os !== 'string') throw bad('"os" is missing');
  const rootfs = c.rootfs as Record<string, unknown> | undefined;
  if (!rootfs || typeof rootfs !== 'object') throw bad('"rootfs" is missing');
  if (rootfs.type !== 'layers') throw bad(`rootfs.type is ${JSON.stringify(rootfs.type)}, expected "layers"`);
  if (!Array.isArray(rootfs.diff_ids) || !rootfs.diff_ids.every(isSha256Digest)) {
    throw bad('rootfs.diff_ids must be an array of sha256 digests');
  }
  const rc = c.config as Record<string, unknown> | undefined | null;
  if (rc !== undefined && rc !== null) {
    if (typeof rc !== 'object' || Array.isArray(rc)) throw bad('"config" must be an object');
    checkStringArray(rc.Env, 'config.Env', true);
    checkStringArray(rc.Cmd, 'config.Cmd', true);
    checkStringArray(rc.Entrypoint, 'config.Entrypoint', true);
    if (rc.WorkingDir !== undefined && typeof rc.WorkingDir !== 'string') throw bad('config.WorkingDir must be a string');
    if (rc.User !== undefined && typeof rc.User !== 'string') throw bad('config.User must be a string');
  } else if (rc === null) {
    delete c.config;
  }
  if (c.history !== undefined && !Array.isArray(c.history)) throw bad('"history" must be an array');
  return c as unknown as ImageConfig;
}
