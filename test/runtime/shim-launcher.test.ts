// launchShim's reply handling and errors, with stand-in shim programs (shell scripts) started for real.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BerthError } from '../../src/errors.js';
import { launchShim, type ShimLaunch } from '../../src/runtime/shim-launcher.js';
import { rejection, shellScript } from '../fixtures/stand-ins.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync('/tmp/berth-shim-launcher-');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function launch(shimPath: string): Promise<{ pid: number; shimPid: number }> {
  const l: ShimLaunch = {
    shimPath, runtimePath: '/bin/false', runtimeRoot: dir, id: 'c1', bundle: dir, stateDir: dir, logFile: join(dir, 'log'),
    overlay: { lowerDirs: ['/a', '/b'], upper: '/u', work: '/w' }, stdin: true, logDriver: 'json-file', logOpts: { 'max-size': '1k' },
  };
  return launchShim(l);
}

const shim = (body: string): string => shellScript(dir, 'fake-shim', body);

describe('launchShim', () => {
  it('passes the arguments and resolves with the reply on the last stdout line', async () => {
    const path = shim(`printf '%s\\n' "$@" > ${dir}/args; echo noise; echo '{"ok":true,"pid":42,"shimPid":43}'`);
    expect(await launch(path)).toEqual({ pid: 42, shimPid: 43 });
    const args = readFileSync(join(dir, 'args'), 'utf8').trim().split('\n');
    expect(args).toContain('lowerdir=/a:/b,upperdir=/u,workdir=/w');
    expect(args.slice(-5)).toEqual(['--stdin', '--log-driver', 'json-file', '--log-max-size', '1024']);
  });

  it('maps a runtime failure in the reply to its error code', async () => {
    const e = await rejection(launch(shim(`echo '{"ok":false,"error":"exec: \\"nope\\": executable file not found in $PATH"}'; exit 1`)));
    expect(e).toBeInstanceOf(BerthError);
    expect(e.code).toBe('command_not_found');
  });

  it('reports a shim that exits without a reply, with its exit code and stderr', async () => {
    const e = await rejection(launch(shim('echo "bad flag" >&2; exit 5')));
    expect(e.code).toBe('runtime_error');
    expect(e.message).toBe('the shim exited with code 5 without a reply: bad flag');
  });

  it('says what to do when the shim binary is missing', async () => {
    const missing = join(dir, 'berth-shim');
    const e = await rejection(launch(missing));
    expect(e.code).toBe('runtime_error');
    expect(e.message).toBe(`cannot start the shim ${missing}: spawn ${missing} ENOENT; is the native build done (npm run build:native)?`);
  });
});
