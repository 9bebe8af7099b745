// The bundled CLI (dist/cli/berth.cjs) as a user runs it: a subprocess, its
// exit code, stdout and stderr — first without a daemon, then against a
// real control-channel peer on a unix socket.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startControlServer, type ControlServer, type Peer } from './control-server.js';
import type { ClientFrame, ServerFrame } from '../../src/protocol/frames.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const berth = join(root, 'dist/cli/berth.cjs');
const { version } = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as { version: string };

interface Outcome { code: number | null; stdout: string; stderr: string }

/** Runs berth as `node dist/cli/berth.cjs ARGS`, or with `direct`, as the executable itself (as installed). */
function runBerth(args: string[], env: Record<string, string> = {}, direct = false): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(direct ? berth : process.execPath, direct ? args : [berth, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d; });
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const NO_STACK = /^\s+at /m;

beforeAll(() => {
  execFileSync(process.execPath, [join(root, 'scripts/bundle-cli.mjs')], { cwd: root, stdio: 'pipe' });
});

describe('bundle layout', () => {
  it('is a small executable CommonJS launcher with a shell preamble, plus one pure-ASCII bundle without the ws package', async () => {
    const entry = await readFile(berth, 'utf8');
    expect(entry.startsWith('#!/bin/sh\n\':\' //; ')).toBe(true);
    expect(statSync(berth).mode & 0o111).toBe(0o111);
    expect(entry.length).toBeLessThan(4096);
    expect(entry).not.toMatch(/WebSocket|Packr|commander/);
    const main = await readFile(join(root, 'dist/cli/berth-main.cjs'), 'latin1');
    // (booleans: a failure must not print the whole bundle)
    expect(/^[\0-\x7f]*$/.test(main)).toBe(true); // the launcher reads it as latin1
    expect(main.includes('Sec-WebSocket-Accept')).toBe(true); // the CLI's own websocket client
    expect(main.includes('MessagePack 0xC1')).toBe(true); // msgpackr
    // The `ws` package (and the http/tls/zlib it loads) costs more to load than a short command: not in the CLI.
    expect(/bufferutil|WebSocketServer/.test(main)).toBe(false);
    // `node dist/cli/berth.mjs` (README, scripts) still works
    const mjs = join(root, 'dist/cli/berth.mjs');
    expect(statSync(mjs).mode & 0o111).toBe(0o111);
    const r = spawnSync(process.execPath, [mjs, '--version'], { encoding: 'utf8' });
    expect({ code: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 0, stdout: `Berth version ${version}\n`, stderr: '' });
  });
});

describe('bundled berth without a daemon', () => {
  it('--version and -v print the package version', async () => {
    for (const flag of ['--version', '-v']) {
      const r = await runBerth([flag]);
      expect(r).toEqual({ code: 0, stdout: `Berth version ${version}\n`, stderr: '' });
    }
  });

  it('no arguments prints help on stdout; run --help exits 0', async () => {
    const bare = await runBerth([]);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toMatch(/^Usage: berth \[OPTIONS\] COMMAND/);
    const help = await runBerth(['run', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: berth run \[options\] <IMAGE> \[COMMAND\.\.\.\]/);
  });

  it('an unknown command exits 1 with a usage hint', async () => {
    const r = await runBerth(['frobnicate']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("berth: unknown command 'frobnicate'\nSee 'berth --help'.\n");
    expect(r.stdout).toBe('');
  });

  it('run without an image exits 125 with a usage hint', async () => {
    const r = await runBerth(['run']);
    expect(r.code).toBe(125);
    expect(r.stderr).toBe("berth: missing required argument 'IMAGE'\nSee 'berth run --help'.\n");
  });

  it('ps against a missing socket exits 1 with "Cannot connect" and no stack trace', async () => {
    for (const args of [['-H', 'unix:///nonexistent.sock', 'ps'], ['ps', '-H', 'unix:///nonexistent.sock']]) {
      const r = await runBerth(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('berth: Cannot connect to the Berth daemon at unix:///nonexistent.sock. Is berthd running? ' +
        '(start it with `berthd`, or point -H/BERTH_HOST at its socket)\n');
      expect(r.stderr).not.toMatch(NO_STACK);
    }
  });

  it('BERTH_HOST is honoured; run with no daemon exits 125', async () => {
    const r = await runBerth(['run', 'busybox'], { BERTH_HOST: 'unix:///nonexistent-env.sock' });
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^berth: Cannot connect to the Berth daemon at unix:\/\/\/nonexistent-env\.sock\./);
  });

  it('version prints the client part, then the error, and exits 1', async () => {
    const r = await runBerth(['-H', 'unix:///nonexistent.sock', 'version']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^Client:\\n Version: +${version.replace(/\./g, '\\.')}\\n API version: +1\\n Node version: +v\\d+`));
    expect(r.stdout).toMatch(/ OS\/Arch: +linux\//);
    expect(r.stderr).toMatch(/^berth: Cannot connect/);
  });

  it('--debug adds the stack trace; BERTH_DEBUG_TIMING prints phases', async () => {
    const r = await runBerth(['-D', '-H', 'unix:///nonexistent.sock', 'ps'], { BERTH_DEBUG_TIMING: '1' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(NO_STACK);
    expect(r.stderr).toMatch(/berth timing: entry evaluated/);
    expect(r.stderr).toMatch(/berth timing: loaded ps/);
  });

  it('load with a missing file explains what -i wants', async () => {
    const r = await runBerth(['-H', 'unix:///nonexistent.sock', 'load', '-i', '/nonexistent/image.tar']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('berth: cannot read /nonexistent/image.tar: no such file. -i takes the path of an image archive (docker save / OCI layout tar).\n');
  });
});

describe('bundled berth against a control-channel peer', () => {
  let server: ControlServer;
  let script: (f: Extract<ClientFrame, { t: 'req' }>, send: (frame: ServerFrame) => void, peer: Peer) => void = () => {};
  const uploads = new Map<number, Buffer[]>();
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'berth-cli-e2e-'));
    server = await startControlServer((f, peer) => {
      if (f.t === 'req') script(f, (frame) => peer.send(frame), peer);
      if (f.t === 'data') uploads.set(f.id, [...(uploads.get(f.id) ?? []), Buffer.from(f.data)]);
      if (f.t === 'end') {
        const size = Buffer.concat(uploads.get(f.id) ?? []).length;
        peer.send({ t: 'res', id: f.id, result: { loaded: ['busybox:latest', `size-${size}:v1`] } });
      }
    });
  });
  afterAll(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  const H = () => ['-H', server.host];

  it('run streams stdout/stderr raw and exits with the container\'s code', async () => {
    let params: unknown;
    script = (f, send) => {
      params = f.params;
      send({ t: 'ev', id: f.id, ev: { kind: 'container-id', id: 'c'.repeat(64) } });
      send({ t: 'ev', id: f.id, ev: { kind: 'output', stream: 1, data: Buffer.from('hello\n') } });
      send({ t: 'ev', id: f.id, ev: { kind: 'output', stream: 2, data: Buffer.from('oops\n') } });
      send({ t: 'res', id: f.id, result: { id: 'c'.repeat(64), exitCode: 3 } });
    };
    const r = await runBerth([...H(), 'run', '--rm', '-e', 'FROM_SHELL', '-e', 'X=1', 'busybox', 'sh', '-c', 'echo hello'], { FROM_SHELL: 'yes' });
    expect(r).toEqual({ code: 3, stdout: 'hello\n', stderr: 'oops\n' });
    expect(params).toEqual({ image: 'busybox', cmd: ['sh', '-c', 'echo hello'], env: ['FROM_SHELL=yes', 'X=1'], autoRemove: true });
  });

  it('the executable starts node without NODE_EXTRA_CA_CERTS and puts it back for the command', async () => {
    let params: unknown;
    script = (f, send) => {
      params = f.params;
      send({ t: 'res', id: f.id, result: { id: 'f'.repeat(64) } });
    };
    const env = { NODE_EXTRA_CA_CERTS: '/nonexistent/extra-ca.pem' };
    const args = [...H(), 'run', '-d', '-e', 'NODE_EXTRA_CA_CERTS', '-e', 'BERTH_NODE_EXTRA_CA_CERTS', 'busybox'];
    // node itself would load the file while starting, and warn that it cannot
    const viaNode = await runBerth(args, env);
    expect(viaNode.stderr).toMatch(/Ignoring extra certs from `\/nonexistent\/extra-ca\.pem`/);
    const direct = await runBerth(args, env, true);
    expect(direct).toEqual({ code: 0, stdout: `${'f'.repeat(64)}\n`, stderr: '' });
    expect(params).toEqual({ image: 'busybox', env: ['NODE_EXTRA_CA_CERTS=/nonexistent/extra-ca.pem'], detach: true });
    // unset stays unset
    expect(await runBerth(args, {}, true)).toEqual({ code: 0, stdout: `${'f'.repeat(64)}\n`, stderr: '' });
    expect(params).toEqual({ image: 'busybox', detach: true });
  });

  it('run -d prints the full container id', async () => {
    script = (f, send) => send({ t: 'res', id: f.id, result: { id: 'f'.repeat(64) } });
    const r = await runBerth([...H(), 'run', '-d', 'busybox']);
    expect(r).toEqual({ code: 0, stdout: `${'f'.repeat(64)}\n`, stderr: '' });
  });

  it('run maps command_not_found to 127 and prints the daemon\'s message', async () => {
    script = (f, send) => send({ t: 'err', id: f.id, error: { code: 'command_not_found', message: 'exec: "nope": executable file not found in $PATH' } });
    const r = await runBerth([...H(), 'run', 'busybox', 'nope']);
    expect(r.code).toBe(127);
    expect(r.stderr).toBe('berth: Error response from daemon: exec: "nope": executable file not found in $PATH\n');
  });

  it('ps renders the table; -q only ids', async () => {
    const created = new Date(Date.now() - 3 * 3600_000).toISOString();
    script = (f, send) => send({ t: 'res', id: f.id, result: [{
      id: 'abcdef0123456789'.repeat(4), name: 'web', image: 'busybox', command: 'sleep 1000', created,
      state: 'running', status: 'Up 3 hours', exitCode: null, startedAt: created, finishedAt: null,
    }] });
    const table = await runBerth([...H(), 'ps', '-a']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toBe('CONTAINER ID   IMAGE     COMMAND        CREATED       STATUS       PORTS     NAMES');
    expect(table.stdout.split('\n')[1]).toBe('abcdef012345   busybox   "sleep 1000"   3 hours ago   Up 3 hours             web');
    expect((await runBerth([...H(), 'ps', '-q'])).stdout).toBe('abcdef012345\n');
  });

  it('rm continues past failures, echoes the ones removed, exits 1', async () => {
    script = (f, send) => {
      const id = (f.params as { id: string }).id;
      if (id === 'ghost') send({ t: 'err', id: f.id, error: { code: 'not_found', message: 'No such container: ghost' } });
      else send({ t: 'res', id: f.id, result: { id } });
    };
    const r = await runBerth([...H(), 'rm', '-f', 'a', 'ghost', 'b']);
    expect(r.code).toBe(1);
    expect(r.stdout.split('\n').filter(Boolean).sort()).toEqual(['a', 'b']);
    expect(r.stderr).toBe('berth: Error response from daemon: No such container: ghost\n');
  });

  it('load -i streams the file and prints each loaded image', async () => {
    const file = join(dir, 'image.tar');
    await writeFile(file, Buffer.alloc(700_000, 7));
    script = () => {}; // the answer comes on the end frame
    const r = await runBerth([...H(), 'load', '-i', file]);
    expect(r).toEqual({ code: 0, stdout: 'Loaded image: busybox:latest\nLoaded image: size-700000:v1\n', stderr: '' });
  });

  it('pull prints one line per layer status, then digest, status and ref', async () => {
    script = (f, send) => {
      const ev = (e: Extract<ServerFrame, { t: 'ev' }>['ev']) => send({ t: 'ev', id: f.id, ev: e });
      ev({ kind: 'status', message: 'latest: Pulling from library/busybox' });
      ev({ kind: 'progress', id: 'ec562eabd705', status: 'Pulling fs layer' });
      ev({ kind: 'progress', id: 'ec562eabd705', status: 'Downloading', current: 1_200_000, total: 4_000_000 });
      ev({ kind: 'progress', id: 'ec562eabd705', status: 'Downloading', current: 2_400_000, total: 4_000_000 });
      ev({ kind: 'progress', id: 'ec562eabd705', status: 'Verifying' });
      ev({ kind: 'progress', id: 'ec562eabd705', status: 'Pull complete' });
      send({ t: 'res', id: f.id, result: { ref: 'docker.io/library/busybox:latest', digest: 'sha256:' + 'd'.repeat(64), id: 'sha256:' + 'e'.repeat(64) } });
    };
    const r = await runBerth([...H(), 'pull', 'busybox']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe([
      'latest: Pulling from library/busybox',
      'ec562eabd705: Pulling fs layer',
      'ec562eabd705: Downloading 1.2MB/4MB',
      'ec562eabd705: Verifying',
      'ec562eabd705: Pull complete',
      `Digest: sha256:${'d'.repeat(64)}`,
      'Status: Downloaded newer image for busybox:latest',
      'docker.io/library/busybox:latest',
      '',
    ].join('\n'));
  });

  it('a daemon that hangs up mid-run: exit 125 and a clear message, no hang', async () => {
    script = (f, send, peer) => {
      send({ t: 'ev', id: f.id, ev: { kind: 'output', stream: 1, data: Buffer.from('partial\n') } });
      setTimeout(() => peer.socket.terminate(), 20);
    };
    const r = await runBerth([...H(), 'run', 'busybox']);
    expect(r.code).toBe(125);
    expect(r.stdout).toBe('partial\n');
    expect(r.stderr).toMatch(/^berth: The Berth daemon closed the connection before answering 'container.run'/);
    expect(r.stderr).not.toMatch(NO_STACK);
  });

  it('logs writes each stream to its own descriptor; stop -t passes the timeout', async () => {
    const seen: unknown[] = [];
    script = (f, send) => {
      seen.push(f.params);
      if (f.method === 'container.logs') {
        send({ t: 'ev', id: f.id, ev: { kind: 'output', stream: 1, data: Buffer.from('out 1\n') } });
        send({ t: 'ev', id: f.id, ev: { kind: 'output', stream: 2, data: Buffer.from('err 1\n') } });
        send({ t: 'ev', id: f.id, ev: { kind: 'output', stream: 1, data: Buffer.from('out 2\n') } });
        send({ t: 'res', id: f.id, result: null });
      } else {
        send({ t: 'res', id: f.id, result: { id: 'web' } });
      }
    };
    expect(await runBerth([...H(), 'logs', 'web'])).toEqual({ code: 0, stdout: 'out 1\nout 2\n', stderr: 'err 1\n' });
    expect(await runBerth([...H(), 'stop', '-t', '2', 'web'])).toEqual({ code: 0, stdout: 'web\n', stderr: '' });
    expect(seen).toEqual([{ id: 'web' }, { id: 'web', timeout: 2 }]);
  });

  it('info prints key: value lines', async () => {
    script = (f, send) => send({ t: 'res', id: f.id, result: {
      containers: 3, running: 1, stopped: 2, images: 4, root: '/var/lib/berth', execRoot: '/run/berth', runtime: 'berth-runtime',
      cgroupLayout: 'v2', actorHosts: 2, journalEntries: 17, kernel: '6.1.0',
    } });
    const r = await runBerth([...H(), 'info']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Containers: 3\n Running: 1\n Stopped: 2\nImages: 4\n');
    expect(r.stdout).toContain('Cgroup Layout: v2\n');
  });
});
