// The berth executable (dist/cli/berth.cjs, cli/launcher.ts) runs the CLI
// bundle through V8's code cache. The cache must be written when absent,
// replaced when V8 rejects it, never read for another bundle, and never
// make berth fail: missing, corrupt or unwritable, the CLI still works.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './berth-process.js';

const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
const made: string[] = [];
afterAll(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });

// A private build: other test files use (and rebuild) dist/cli at the same time.
const dist = mkdtempSync(join(tmpdir(), 'berth-cli-build-'));
made.push(dist);
beforeAll(() => {
  execFileSync(process.execPath, [join(repoRoot, 'scripts/bundle-cli.mjs'), '--outdir', dist], { cwd: repoRoot, stdio: 'pipe' });
});

/** A private copy of the bundle without any cache, so tests do not share one. */
function freshCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-code-cache-'));
  made.push(dir);
  cpSync(dist, dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f.endsWith('.cache')) rmSync(join(dir, f), { recursive: true });
  return dir;
}

function cacheName(dir: string): string {
  const id = createHash('sha256').update(readFileSync(join(dir, 'berth-main.cjs'))).digest('hex').slice(0, 16);
  return join(dir, `berth-main.${id}.cache`);
}

/** Runs `berth --version` from `dir`; returns what it printed and what it found of the cache. */
function version_(dir: string, nodeFlags: string[] = [], entry = 'berth.cjs'): { code: number | null; stdout: string; stderr: string; cache: string } {
  const r = spawnSync(process.execPath, [...nodeFlags, join(dir, entry), '--version'], {
    env: { PATH: process.env.PATH ?? '', BERTH_DEBUG_TIMING: '1' }, encoding: 'utf8', cwd: '/',
  });
  const cache = /entry evaluated \(code cache ([a-z ]+)\)/.exec(r.stderr)?.[1] ?? '?';
  const stderr = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('berth timing:')).join('\n');
  return { code: r.status, stdout: r.stdout, stderr, cache };
}

const OK = { code: 0, stdout: `Berth version ${version}\n`, stderr: '' };

describe('V8 code cache of the CLI bundle', () => {
  it('is written beside the bundle on the first start, named after its content hash, and used afterwards', () => {
    const dir = freshCopy();
    const first = version_(dir);
    expect(first).toEqual({ ...OK, cache: 'absent' });
    expect(statSync(cacheName(dir)).size).toBeGreaterThan(1000);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    expect(version_(dir)).toEqual({ ...OK, cache: 'accepted' });
    // berth.mjs (the ES module entry kept for `node dist/cli/berth.mjs`) uses the same cache
    expect(version_(dir, [], 'berth.mjs')).toEqual({ ...OK, cache: 'accepted' });
  });

  it('a corrupt cache is rejected, the command still works, and the cache is rewritten', () => {
    const dir = freshCopy();
    version_(dir);
    const good = readFileSync(cacheName(dir));
    const bad = Buffer.from(good);
    bad.fill(0x5a, 0, 64); // header damaged
    writeFileSync(cacheName(dir), bad);
    expect(version_(dir)).toEqual({ ...OK, cache: 'rejected' });
    expect(version_(dir)).toEqual({ ...OK, cache: 'accepted' });
    writeFileSync(cacheName(dir), 'not a code cache');
    expect(version_(dir)).toEqual({ ...OK, cache: 'rejected' });
    expect(version_(dir)).toEqual({ ...OK, cache: 'accepted' });
  });

  it('a cache made under other V8 flags is stale: rejected, then rebuilt', () => {
    const dir = freshCopy();
    expect(version_(dir, ['--stack-size=2000']).cache).toBe('absent');
    expect(version_(dir)).toEqual({ ...OK, cache: 'rejected' });
    expect(version_(dir)).toEqual({ ...OK, cache: 'accepted' });
  });

  it('is keyed by the content hash of the bundle, so a rebuilt bundle never reads an old cache', () => {
    // V8's own check compares only the source length; the name carries a hash of the content.
    const dir = freshCopy();
    version_(dir);
    expect(readdirSync(dir).filter((f) => f.endsWith('.cache'))).toEqual([cacheName(dir).slice(dir.length + 1)]);
    const launcher = readFileSync(join(dir, 'berth.cjs'), 'utf8');
    expect(launcher).toContain(cacheName(dir).slice(dir.length + 1).replace(/^berth-main\.|\.cache$/g, ''));
  });

  it('an unreadable, unwritable cache location does not fail berth', () => {
    const dir = freshCopy();
    mkdirSync(cacheName(dir)); // a directory where the cache file would be: read and rename both fail
    for (let i = 0; i < 2; i++) expect(version_(dir)).toEqual({ ...OK, cache: 'absent' });
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('a missing or damaged bundle is reported with what to do, exit 1 and no stack trace', () => {
    const dir = freshCopy();
    writeFileSync(join(dir, 'berth-main.cjs'), 'this is not javascript {');
    const damaged = version_(dir);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toMatch(/^berth: cannot load the CLI bundle .*berth-main\.cjs: .*\nThe installation is incomplete or damaged: rebuild it with `npm run build`/);
    expect(damaged.stderr).not.toMatch(/^\s+at /m);
    rmSync(join(dir, 'berth-main.cjs'));
    const missing = version_(dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^berth: cannot load the CLI bundle .*berth-main\.cjs: ENOENT/);
    expect(missing.stderr).not.toMatch(/^\s+at /m);
  });

  it('works from any working directory and through a symlink, as npm installs the bin', () => {
    const dir = freshCopy();
    const bin = mkdtempSync(join(tmpdir(), 'berth-bin-'));
    made.push(bin);
    const link = join(bin, 'berth');
    execFileSync('ln', ['-s', join(dir, 'berth.cjs'), link]);
    const r = spawnSync(link, ['--version'], { cwd: '/', encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect({ code: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual(OK);
  });
});
