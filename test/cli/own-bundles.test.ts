// The busiest commands have bundles of their own (dist/cli/berth-<cmd>.cjs,
// scripts/bundle-cli.mjs), picked by the launcher from the command word. Each
// must answer exactly as the whole CLI (berth-main.cjs) does, keep its own
// code cache, and fail as clearly as berth-main.cjs when damaged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './berth-process.js';

const made: string[] = [];
afterAll(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });

const dist = mkdtempSync(join(tmpdir(), 'berth-own-bundles-'));
made.push(dist);
beforeAll(() => {
  execFileSync(process.execPath, [join(repoRoot, 'scripts/bundle-cli.mjs'), '--outdir', dist], { cwd: repoRoot, stdio: 'pipe' });
});

function freshCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-own-bundle-copy-'));
  made.push(dir);
  cpSync(dist, dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f.endsWith('.cache')) rmSync(join(dir, f), { recursive: true });
  return dir;
}

interface Outcome { code: number | null; stdout: string; stderr: string; cache?: string }

/** Runs `script` (in dist) with args; BERTH_DEBUG_TIMING tells which cache state the launcher found. */
function berth(script: string, args: string[], dir = dist): Outcome {
  const r = spawnSync(process.execPath, [join(dir, script), ...args], {
    env: { PATH: process.env.PATH ?? '', BERTH_HOST: 'unix:///nonexistent-own-bundle.sock', BERTH_DEBUG_TIMING: '1' },
    encoding: 'utf8', cwd: '/',
  });
  const cache = /entry evaluated \(code cache ([a-z ]+)\)/.exec(r.stderr)?.[1];
  const stderr = r.stderr.split('\n').filter((l) => !l.startsWith('berth timing:')).join('\n');
  return { code: r.status, stdout: r.stdout, stderr, cache };
}

const OWN = ['run', 'create', 'start', 'stop', 'kill', 'rm', 'ps', 'logs', 'exec', 'wait', 'inspect', 'pull', 'images', 'rmi'];

describe('per-command bundles', () => {
  it('exist for the busy commands, each far smaller than the whole CLI', () => {
    const main = readFileSync(join(dist, 'berth-main.cjs')).length;
    for (const word of OWN) expect(readFileSync(join(dist, `berth-${word}.cjs`)).length).toBeLessThan(main / 2);
  });

  it('answer --help, usage errors and daemon errors exactly as the whole CLI does', () => {
    const lines = (word: string) => [
      [word, '--help'], [word], ['-D', word, '--help'], ['-H', 'unix:///nonexistent-h.sock', word, 'x'], [word, '--no-such-flag', 'x'],
    ];
    for (const word of OWN) {
      for (const args of lines(word)) {
        const own = berth('berth.cjs', args);
        const whole = berth('berth-main.cjs', args);
        expect({ args, ...own, cache: undefined }).toEqual({ args, ...whole, cache: undefined });
      }
    }
    // the root options before the word still pick the command's bundle, and a daemon error reads the same
    const r = berth('berth.cjs', ['-H', 'unix:///nonexistent-h.sock', 'ps']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^berth: Cannot connect to the Berth daemon at unix:\/\/\/nonexistent-h\.sock\./);
  });

  it('each keeps its own code cache, named after its own content hash', () => {
    const dir = freshCopy();
    expect(berth('berth.cjs', ['run', '--help'], dir).cache).toBe('absent');
    expect(berth('berth.cjs', ['ps', '--help'], dir).cache).toBe('absent');
    expect(berth('berth.cjs', ['run', '--help'], dir).cache).toBe('accepted');
    const id = (name: string) => createHash('sha256').update(readFileSync(join(dir, `berth-${name}.cjs`))).digest('hex').slice(0, 16);
    expect(readdirSync(dir).filter((f) => f.endsWith('.cache')).sort()).toEqual([`berth-ps.${id('ps')}.cache`, `berth-run.${id('run')}.cache`]);
    // a damaged cache of one bundle is rejected and rewritten; the other bundle's is untouched
    writeFileSync(join(dir, `berth-run.${id('run')}.cache`), 'not a code cache');
    expect(berth('berth.cjs', ['run', '--help'], dir).cache).toBe('rejected');
    expect(berth('berth.cjs', ['run', '--help'], dir).cache).toBe('accepted');
    expect(berth('berth.cjs', ['ps', '--help'], dir).cache).toBe('accepted');
  });

  it('a missing or damaged command bundle is reported with what to do, exit 1 and no stack trace', () => {
    const dir = freshCopy();
    writeFileSync(join(dir, 'berth-rm.cjs'), 'this is not javascript {');
    const damaged = berth('berth.cjs', ['rm', 'x'], dir);
    expect(damaged.code).toBe(1);
    expect(damaged.stderr).toMatch(/^berth: cannot load the CLI bundle .*berth-rm\.cjs: .*\nThe installation is incomplete or damaged: rebuild it with `npm run build`/);
    expect(damaged.stderr).not.toMatch(/^\s+at /m);
    rmSync(join(dir, 'berth-rm.cjs'));
    expect(berth('berth.cjs', ['rm', 'x'], dir).stderr).toMatch(/^berth: cannot load the CLI bundle .*berth-rm\.cjs: ENOENT/);
    // other commands are unaffected
    expect(berth('berth.cjs', ['--version'], dir).code).toBe(0);
  });
});
