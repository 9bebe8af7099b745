// The piscina task module, run in real worker threads. Workers cannot load
// TypeScript, so the test bundles src/workers/pool-tasks.ts with esbuild into
// a temporary .mjs file under node_modules/.cache (so that its bare imports
// such as tar-stream resolve); production loads dist/src/workers/pool-tasks.js.
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { Piscina } from 'piscina';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BerthError, deserializeError, serializeError } from '../../src/errors.js';
import { TAR, writeLayer } from './layer-fixtures.js';

let dir: string;
let bundleDir: string;
let pool: Piscina;
const repo = join(import.meta.dirname, '../..');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-pool-'));
  // inside this checkout (not under node_modules, which may be a link to another one): the bundle finds
  // the packages through node_modules and the addon through its package root, both this checkout's
  bundleDir = mkdtempSync(join(repo, 'build-pool-tasks-'));
  const outfile = join(bundleDir, 'pool-tasks.mjs');
  await build({
    entryPoints: [join(repo, 'src/workers/pool-tasks.ts')],
    outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'error',
    packages: 'external', absWorkingDir: repo,
  });
  pool = new Piscina({ filename: outfile, maxThreads: 2 });
});

afterAll(async () => {
  await pool?.destroy();
  rmSync(dir, { recursive: true, force: true });
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
});

describe('pool-tasks via piscina', () => {
  it('digestFile by named export and by default dispatch', async () => {
    const expected = `sha256:${createHash('sha256').update(readFileSync('/bin/busybox')).digest('hex')}`;
    const size = lstatSync('/bin/busybox').size;
    expect(await pool.run({ path: '/bin/busybox' }, { name: 'digestFile' })).toEqual({ digest: expected, size });
    expect(await pool.run({ task: 'digestFile', path: '/bin/busybox' })).toEqual({ digest: expected, size });
  });

  it('unpackLayer in a worker', async () => {
    const blob = await writeLayer(dir, 'l.tar', [{ name: 'etc/hostname', content: 'berth\n' }]);
    const tarSha = `sha256:${createHash('sha256').update(readFileSync(blob)).digest('hex')}`;
    const target = join(dir, 'rootfs');
    const r = await pool.run({ task: 'unpackLayer', blobPath: blob, mediaType: TAR, target, expectedDiffId: tarSha });
    expect(r.diffId).toBe(tarSha);
    expect(readFileSync(join(target, 'etc/hostname'), 'utf8')).toBe('berth\n');
  });

  it('errors keep their BerthError code across the thread boundary', async () => {
    const blob = await writeLayer(dir, 'evil.tar', [{ name: '../evil', content: 'x' }]);
    const err = await pool.run({ blobPath: blob, mediaType: TAR, target: join(dir, 'evil-out') }, { name: 'unpackLayer' }).catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe('unsafe_layer');
    expect((err as Error).message).toMatch(/"\.\.\/evil"/);
    expect(serializeError(err)).toEqual({ code: 'unsafe_layer', message: (err as Error).message });
    expect(deserializeError(serializeError(err))).toBeInstanceOf(BerthError);
    const unknown = await pool.run({ task: 'nope' }).catch((e: unknown) => e);
    expect((unknown as { code?: string }).code).toBe('internal');
  });
});
