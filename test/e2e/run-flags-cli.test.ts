// run/create flags the CLI acts on: --cidfile, --label-file, -q, --pull,
// --platform, -a/--attach and --sig-proxy, with real containers, a real
// local registry and real signals, and Docker's errors for bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_JS, startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { inspectContainer, loadBusybox, ok } from '../fixtures/e2e-helpers.js';
import { startRegistry, type TestRegistry } from '../fixtures/registry.js';
import { pushBusybox } from '../fixtures/busybox-image.js';

let d: TestDaemon;
let registry: TestRegistry;
let dir: string;

beforeAll(async () => {
  d = await startDaemon();
  loadBusybox(d);
  registry = await startRegistry();
  await pushBusybox(registry.host, 'flags/busybox', 'latest');
  dir = mkdtempSync(join(tmpdir(), 'berth-run-flags-'));
});

afterAll(async () => {
  await d?.stop();
  await registry?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function refused(r: { code: number; stderr: string }, message: string): void {
  expect(r.code).toBe(125);
  expect(r.stderr).toContain(message);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('--cidfile', () => {
  it('run -d, attached run and create write the id; an existing file is refused before anything is created', () => {
    const cid = join(dir, 'run.cid');
    const id = ok(d.berth(['run', '-d', '--cidfile', cid, 'busybox', 'true'])).trim();
    expect(readFileSync(cid, 'utf8')).toBe(id);
    const before = ok(d.berth(['ps', '-aq'])).split('\n').length;
    refused(d.berth(['run', '--cidfile', cid, 'busybox', 'true']), `Container ID file found, make sure the other container isn't running or delete ${cid}`);
    refused(d.berth(['create', '--cidfile', cid, 'busybox', 'true']), 'Container ID file found');
    expect(ok(d.berth(['ps', '-aq'])).split('\n').length).toBe(before);
    const attached = join(dir, 'attached.cid');
    expect(ok(d.berth(['run', '--cidfile', attached, 'busybox', 'echo', 'hi']))).toBe('hi\n');
    expect(inspectContainer(d, readFileSync(attached, 'utf8')).Config.Cmd).toEqual(['echo', 'hi']);
    const created = join(dir, 'create.cid');
    const cid2 = ok(d.berth(['create', '--cidfile', created, 'busybox', 'true'])).trim();
    expect(readFileSync(created, 'utf8')).toBe(cid2);
  });
});

describe('--label-file', () => {
  it('reads KEY=VALUE lines (comments and blank lines skipped); -l wins over the file', () => {
    const file = join(dir, 'labels');
    writeFileSync(file, '# team labels\ntier=db\n\nowner=ops\nflag\n');
    ok(d.berth(['create', '--name', 'labelled', '--label-file', file, '-l', 'owner=dev', 'busybox', 'true']));
    expect(inspectContainer(d, 'labelled').Config.Labels).toEqual({ tier: 'db', owner: 'dev', flag: '' });
    refused(d.berth(['run', '--label-file', join(dir, 'nope'), 'busybox', 'true']), `cannot read label file ${join(dir, 'nope')}: no such file`);
  });
});

describe('--pull, -q and --platform', () => {
  it('--pull never runs a local image and refuses an absent one with Docker\'s error', () => {
    expect(ok(d.berth(['run', '--rm', '--pull', 'never', 'busybox', 'echo', 'local']))).toBe('local\n');
    refused(d.berth(['run', '--pull', 'never', `${registry.host}/flags/busybox`, 'true']), `No such image: ${registry.host}/flags/busybox:latest`);
    refused(d.berth(['run', '--pull', 'sometimes', 'busybox', 'true']), '"always", "missing" or "never"');
  });

  it('--pull missing pulls once with progress on stderr; -q keeps only "Unable to find image"; --pull always pulls again', () => {
    const image = `${registry.host}/flags/busybox`;
    const first = d.berth(['run', '--rm', '-q', image, 'echo', 'pulled']);
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('pulled\n');
    expect(first.stderr).toBe(`Unable to find image '${image}:latest' locally\n`);
    const again = d.berth(['run', '--rm', '--pull', 'always', image, 'echo', 'again']);
    expect(again.stdout).toBe('again\n');
    expect(again.stderr).not.toContain('Unable to find image');
    expect(again.stderr).not.toBe(''); // the pull's own output
    // a local tag the registry does not have: missing runs it, always must fail on the pull
    ok(d.berth(['tag', 'busybox', `${registry.host}/flags/only-here:1`]));
    expect(ok(d.berth(['run', '--rm', `${registry.host}/flags/only-here:1`, 'echo', 'here']))).toBe('here\n');
    const always = d.berth(['run', '--rm', '--pull', 'always', `${registry.host}/flags/only-here:1`, 'true']);
    expect(always.code).toBe(125);
    expect(always.stdout).toBe('');
  });

  it('--platform is checked against a local image and passed to the pull', () => {
    expect(ok(d.berth(['run', '--rm', '--platform', 'linux/amd64', '--pull', 'never', 'busybox', 'echo', 'amd64']))).toBe('amd64\n');
    refused(d.berth(['run', '--platform', 'linux/arm64', '--pull', 'never', 'busybox', 'true']),
      'image with reference busybox:latest was found but does not match the specified platform: wanted linux/arm64, actual: linux/amd64');
    refused(d.berth(['run', '--platform', 'nonsense', 'busybox', 'true']), 'invalid platform "nonsense"');
    // the registry has amd64 only: the pull for arm64 names what it offers
    const arm = d.berth(['run', '--platform', 'linux/arm64', `${registry.host}/flags/busybox`, 'true']);
    expect(arm.code).toBe(125);
    expect(arm.stderr).toMatch(/arm64|platform/);
  });
});

describe('-a/--attach', () => {
  const script = 'echo to-out; echo to-err >&2';
  it('copies only the streams asked for', () => {
    const errOnly = d.berth(['run', '--rm', '-a', 'stderr', 'busybox', 'sh', '-c', script]);
    expect(errOnly).toMatchObject({ code: 0, stdout: '', stderr: 'to-err\n' });
    const outOnly = d.berth(['run', '--rm', '-a', 'STDOUT', 'busybox', 'sh', '-c', script]);
    expect(outOnly).toMatchObject({ code: 0, stdout: 'to-out\n', stderr: '' });
    const withStdin = d.berth(['run', '--rm', '-i', '-a', 'stdin', '-a', 'stdout', 'busybox', 'cat'], { input: 'typed\n' });
    expect(withStdin.stdout).toBe('typed\n');
  });

  it('refuses unknown streams and -a with -d', () => {
    refused(d.berth(['run', '-a', 'stdlog', 'busybox', 'true']), 'valid streams are STDIN, STDOUT and STDERR');
    refused(d.berth(['run', '-d', '-a', 'stdout', 'busybox', 'true']), 'Conflicting options: -a and -d');
  });
});

/** An attached `berth run` we can signal; resolves once the container printed "ready". */
function startAttached(args: string[]) {
  const p = spawn(process.execPath, [CLI_JS, '-H', `unix://${d.socket}`, 'run', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  p.stderr.on('data', (x: Buffer) => (stderr += x.toString()));
  const ready = new Promise<void>((res) => p.stdout.on('data', (x: Buffer) => {
    stdout += x.toString();
    if (stdout.includes('ready')) res();
  }));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => p.on('close', (code, signal) => res({ code, signal })));
  return { p, ready, done, out: () => stdout, err: () => stderr };
}

const TRAPPER = 'trap "echo got-term; exit 3" TERM; trap "echo got-usr1" USR1; echo ready; while true; do sleep 0.1; done';

describe('--sig-proxy', () => {
  it('forwards each signal the CLI receives to the container (the default)', async () => {
    const s = startAttached(['--rm', 'busybox', 'sh', '-c', TRAPPER]);
    await s.ready;
    s.p.kill('SIGUSR1');
    while (!s.out().includes('got-usr1')) await new Promise((r) => setTimeout(r, 50));
    s.p.kill('SIGTERM');
    const end = await s.done;
    expect(end.code).toBe(3);
    expect(s.out()).toBe('ready\ngot-usr1\ngot-term\n');
  });

  it('--sig-proxy=false: a signal ends the CLI only; the container keeps running', async () => {
    const s = startAttached(['--name', 'noproxy', '--sig-proxy=false', 'busybox', 'sh', '-c', TRAPPER]);
    await s.ready;
    s.p.kill('SIGTERM');
    const end = await s.done;
    expect(end.signal).toBe('SIGTERM');
    expect(inspectContainer(d, 'noproxy').State.Running).toBe(true);
    ok(d.berth(['rm', '-f', 'noproxy']));
    refused(d.berth(['run', '--sig-proxy=maybe', 'busybox', 'true']), 'invalid argument "maybe" for "--sig-proxy" flag');
  });
});

it('cleans up: no cid file is left for a refused run', () => {
  const cid = join(dir, 'refused.cid');
  refused(d.berth(['run', '--cidfile', cid, '--pull', 'never', 'no-such-image-here', 'true']), 'No such image: no-such-image-here:latest');
  expect(existsSync(cid)).toBe(false);
});
