// runRuntime: the daemon's one-off runtime commands, with stand-in runtimes (shell scripts) started for real.
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BerthError } from '../../src/errors.js';
import { runRuntime } from '../../src/runtime/runtime-cli.js';
import { rejection, shellScript } from '../fixtures/stand-ins.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync('/tmp/berth-runtime-cli-');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const runtime = (body: string): string => shellScript(dir, 'fake-runtime', body);

describe('runRuntime', () => {
  it('passes --root and the arguments, and resolves with standard output', async () => {
    const path = runtime('echo "$@"');
    await expect(runRuntime({ runtimePath: path, runtimeRoot: dir }, ['pause', 'c1'])).resolves.toBe(`--root ${dir} pause c1\n`);
  });

  it('rejects with the runtime\'s own message when it fails', async () => {
    const path = runtime('echo "container c1 is not running" >&2; exit 1');
    const e = await rejection(runRuntime({ runtimePath: path, runtimeRoot: dir }, ['pause', 'c1']));
    expect(e).toBeInstanceOf(BerthError);
    expect(e.code).toBe('runtime_error');
    expect(e.message).toBe('container c1 is not running');
  });

  it('names the command and the exit code or signal when the runtime says nothing', async () => {
    const quiet = runtime('exit 3');
    expect((await rejection(runRuntime({ runtimePath: quiet, runtimeRoot: dir }, ['resume', 'c1']))).message).toBe(`${quiet} resume exited with 3`);
    const killed = runtime('kill -9 $$');
    expect((await rejection(runRuntime({ runtimePath: killed, runtimeRoot: dir }, ['update', 'c1']))).message).toBe(`${killed} update was killed by signal 9`);
  });

  it('reports a runtime that cannot be started', async () => {
    const e = await rejection(runRuntime({ runtimePath: join(dir, 'missing'), runtimeRoot: dir }, ['pause', 'c1']));
    expect(e.code).toBe('runtime_error');
    expect(e.message).toBe(`cannot run ${join(dir, 'missing')}: ENOENT`);
  });
});
