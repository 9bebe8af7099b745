// The bundled CLI's container commands against the control-channel test
// double: what each sends (params, upload frames) and what it prints and
// exits with.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startControlServer, type ControlServer } from './control-server.js';
import { repoRoot, runBundled } from './berth-process.js';
import type { ClientFrame, ServerFrame, StreamEvent } from '../../src/protocol/frames.js';

type Req = Extract<ClientFrame, { t: 'req' }>;
type Reply = (frame: ServerFrame) => void;

const ID = 'c'.repeat(64);
let server: ControlServer;
/** Answers each request; `end` is called when an upload finishes. */
let script: (f: Req, send: Reply) => void;
let onEnd: (id: number, upload: Buffer, send: Reply) => void;
let requests: Req[];
const uploads = new Map<number, Buffer[]>();

const ev = (send: Reply, id: number, e: StreamEvent) => send({ t: 'ev', id, ev: e });
const out = (send: Reply, id: number, text: string, stream: 1 | 2 = 1) => ev(send, id, { kind: 'output', stream, data: Buffer.from(text) });
const notFound = (send: Reply, id: number, message: string) => send({ t: 'err', id, error: { code: 'not_found', message } });

beforeAll(async () => {
  execFileSync(process.execPath, [join(repoRoot, 'scripts/bundle-cli.mjs')], { cwd: repoRoot, stdio: 'pipe' });
  server = await startControlServer((f, peer) => {
    const send: Reply = (frame) => peer.send(frame);
    if (f.t === 'req') { requests.push(f); script(f, send); }
    if (f.t === 'data') uploads.set(f.id, [...(uploads.get(f.id) ?? []), Buffer.from(f.data)]);
    if (f.t === 'end') onEnd(f.id, Buffer.concat(uploads.get(f.id) ?? []), send);
  });
});
afterAll(async () => { await server.close(); });
beforeEach(() => {
  requests = [];
  server.received.length = 0;
  uploads.clear();
  script = () => {};
  onEnd = () => {};
});

const berth = (args: string[], stdin?: string) => runBundled(['-H', server.host, ...args], { stdin });
const paramsOf = (method: string) => requests.filter((r) => r.method === method).map((r) => r.params);

describe('run -i: stdin is the call\'s upload', () => {
  it('echo hi | berth run -i …: req, then data frames, then end; output and exit code as the container gives them', async () => {
    script = (f, send) => ev(send, f.id, { kind: 'container-id', id: ID });
    onEnd = (id, upload, send) => {
      out(send, id, `got:${upload.toString()}`);
      send({ t: 'res', id, result: { id: ID, exitCode: 0 } });
    };
    const r = await berth(['run', '-i', '--rm', 'busybox', 'cat'], 'hi\n');
    expect(r).toEqual({ code: 0, stdout: 'got:hi\n', stderr: '' });
    expect(paramsOf('container.run')).toEqual([{ image: 'busybox', cmd: ['cat'], openStdin: true, autoRemove: true }]);
    const kinds = server.received.map((f) => f.t);
    expect(kinds[0]).toBe('req');
    expect(kinds.slice(1, -1).every((k) => k === 'data')).toBe(true);
    expect(kinds.at(-1)).toBe('end');
    expect(server.received.filter((f) => f.t === 'cancel')).toEqual([]);
  });

  it('empty stdin sends end straight away', async () => {
    onEnd = (id, upload, send) => send({ t: 'res', id, result: { id: ID, exitCode: upload.length } });
    const r = await berth(['run', '-i', 'busybox', 'cat'], '');
    expect(r.code).toBe(0);
    expect(server.received.map((f) => f.t)).toEqual(['req', 'end']);
  });

  it('without -i nothing is uploaded', async () => {
    script = (f, send) => send({ t: 'res', id: f.id, result: { id: ID, exitCode: 5 } });
    const r = await berth(['run', 'busybox'], 'ignored');
    expect(r.code).toBe(5);
    expect(server.received.map((f) => f.t)).toEqual(['req']);
  });

  it('run -it with stdin not a terminal: "the input device is not a TTY", exit 1, nothing sent', async () => {
    const r = await berth(['run', '-it', 'busybox'], 'x');
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'berth: the input device is not a TTY\n' });
    expect(requests).toEqual([]);
  });

  it('run -t alone with piped stdin is fine (Docker only checks when stdin is attached)', async () => {
    script = (f, send) => send({ t: 'res', id: f.id, result: { id: ID, exitCode: 0 } });
    expect((await berth(['run', '-t', 'busybox'], '')).code).toBe(0);
    expect(paramsOf('container.run')).toEqual([{ image: 'busybox', tty: true }]);
  });

  it('all run flags reach container.run', async () => {
    script = (f, send) => send({ t: 'res', id: f.id, result: { id: ID } });
    const r = await berth(['run', '-d', '-h', 'box', '-u', 'nobody', '-l', 'a=1', '--restart', 'unless-stopped', '--stop-signal', 'SIGINT',
      '--stop-timeout', '3', '--log-driver', 'local', '--log-opt', 'max-size=1m', '--name', 'web', 'busybox']);
    expect(r).toEqual({ code: 0, stdout: `${ID}\n`, stderr: '' });
    expect(paramsOf('container.run')).toEqual([{
      image: 'busybox', detach: true, hostname: 'box', user: 'nobody', labels: { a: '1' }, restart: 'unless-stopped',
      stopSignal: 'SIGINT', stopTimeout: 3, logDriver: 'local', logOpts: { 'max-size': '1m' }, name: 'web',
    }]);
  });

  it('local checks exit 125 before contacting the daemon', async () => {
    const r = await berth(['run', '--rm', '--restart', 'always', 'busybox']);
    expect(r).toEqual({ code: 125, stdout: '', stderr: 'berth: Conflicting options: --restart and --rm\n' });
    expect((await berth(['run', '--restart', 'sometimes', 'busybox'])).code).toBe(125);
    expect(requests).toEqual([]);
  });
});

describe('create and start', () => {
  it('create prints the id (warnings on stderr); daemon errors exit 125, not found command 127', async () => {
    script = (f, send) => send({ t: 'res', id: f.id, result: { id: ID, warnings: ['careful'] } });
    expect(await berth(['create', '--name', 'web', '-t', 'busybox', 'sh'])).toEqual({ code: 0, stdout: `${ID}\n`, stderr: 'WARNING: careful\n' });
    expect(paramsOf('container.create')).toEqual([{ image: 'busybox', cmd: ['sh'], name: 'web', tty: true }]);
    script = (f, send) => send({ t: 'err', id: f.id, error: { code: 'conflict', message: 'name "web" is in use' } });
    expect(await berth(['container', 'create', 'busybox'])).toEqual({ code: 125, stdout: '', stderr: 'berth: Error response from daemon: name "web" is in use\n' });
    expect((await berth(['create', '--bogus', 'busybox'])).code).toBe(125);
  });

  it('start echoes each name; failures are listed, exit 1', async () => {
    script = (f, send) => {
      const id = (f.params as { id: string }).id;
      if (id === 'ghost') notFound(send, f.id, 'No such container: ghost');
      else send({ t: 'res', id: f.id, result: { id } });
    };
    const r = await berth(['start', 'a', 'ghost', 'b']);
    expect(r).toEqual({
      code: 1, stdout: 'a\nb\n',
      stderr: 'berth: Error response from daemon: No such container: ghost\nberth: failed to start containers: ghost\n',
    });
    expect(paramsOf('container.start')).toEqual([{ id: 'a' }, { id: 'ghost' }, { id: 'b' }]);
  });

  it('start -a streams output and exits with the container\'s code; -a on two containers is refused', async () => {
    script = (f, send) => {
      if (f.method === 'container.inspect') return send({ t: 'res', id: f.id, result: { Id: ID, Config: { Tty: false, OpenStdin: false } } });
      out(send, f.id, 'hello\n');
      out(send, f.id, 'warn\n', 2);
      send({ t: 'res', id: f.id, result: { id: ID, exitCode: 4 } });
    };
    expect(await berth(['start', '-a', 'web'])).toEqual({ code: 4, stdout: 'hello\n', stderr: 'warn\n' });
    expect(paramsOf('container.start')).toEqual([{ id: 'web', attach: true, interactive: false }]);
    const two = await berth(['start', '-a', 'x', 'y']);
    expect(two).toMatchObject({ code: 1, stderr: 'berth: you cannot start and attach multiple containers at once\n' });
  });

  it('start -ai uploads stdin when the container has it open; command_not_found is 127', async () => {
    script = (f, send) => { if (f.method === 'container.inspect') send({ t: 'res', id: f.id, result: { Config: { Tty: false, OpenStdin: true } } }); };
    onEnd = (id, upload, send) => { out(send, id, upload.toString().toUpperCase()); send({ t: 'res', id, result: { id: ID, exitCode: 0 } }); };
    expect(await berth(['start', '-ai', 'web'], 'abc')).toEqual({ code: 0, stdout: 'ABC', stderr: '' });
    expect(paramsOf('container.start')).toEqual([{ id: 'web', attach: true, interactive: true }]);
    script = (f, send) => {
      if (f.method === 'container.inspect') return send({ t: 'res', id: f.id, result: { Config: {} } });
      send({ t: 'err', id: f.id, error: { code: 'command_not_found', message: 'exec: "nope": executable file not found in $PATH' } });
    };
    expect((await berth(['start', '-a', 'web'])).code).toBe(127);
  });
});

describe('wait, exec', () => {
  it('wait prints each exit code in the order given and exits 0', async () => {
    script = (f, send) => {
      const id = (f.params as { id: string }).id;
      // answer the second one first: output order must still follow the arguments
      setTimeout(() => send({ t: 'res', id: f.id, result: { exitCode: id === 'a' ? 0 : 137, error: null } }), id === 'a' ? 30 : 0);
    };
    expect(await berth(['wait', 'a', 'b'])).toEqual({ code: 0, stdout: '0\n137\n', stderr: '' });
    expect(paramsOf('container.wait')).toEqual([{ id: 'a' }, { id: 'b' }]);
  });

  it('wait reports containers it cannot wait for and exits 1', async () => {
    script = (f, send) => {
      if ((f.params as { id: string }).id === 'ghost') notFound(send, f.id, 'No such container: ghost');
      else send({ t: 'res', id: f.id, result: { exitCode: 2, error: null } });
    };
    expect(await berth(['container', 'wait', 'ghost', 'a'])).toEqual({ code: 1, stdout: '2\n', stderr: 'berth: Error response from daemon: No such container: ghost\n' });
  });

  it('exec propagates the process\'s exit code and streams output', async () => {
    script = (f, send) => {
      out(send, f.id, 'inside\n');
      send({ t: 'res', id: f.id, result: { execId: 'e1', exitCode: 42 } });
    };
    expect(await berth(['exec', '-e', 'A=1', '-w', '/tmp', '-u', 'nobody', 'web', 'sh', '-c', 'exit 42'])).toEqual({ code: 42, stdout: 'inside\n', stderr: '' });
    expect(paramsOf('container.exec')).toEqual([{ id: 'web', cmd: ['sh', '-c', 'exit 42'], env: ['A=1'], workdir: '/tmp', user: 'nobody' }]);
  });

  it('exec: not found 127, not executable 126, other daemon errors 1', async () => {
    const failWith = (code: string, message: string) => { script = (f, send) => send({ t: 'err', id: f.id, error: { code: code as never, message } }); };
    failWith('command_not_found', 'exec: "nope": executable file not found in $PATH');
    expect(await berth(['exec', 'web', 'nope'])).toEqual({ code: 127, stdout: '', stderr: 'berth: Error response from daemon: exec: "nope": executable file not found in $PATH\n' });
    failWith('command_not_executable', 'exec: "/etc": permission denied');
    expect((await berth(['exec', 'web', '/etc'])).code).toBe(126);
    failWith('not_running', 'container web is not running');
    expect((await berth(['exec', 'web', 'ls'])).code).toBe(1);
  });

  it('exec -i uploads stdin; exec -d prints nothing and exits 0', async () => {
    onEnd = (id, upload, send) => send({ t: 'res', id, result: { execId: 'e1', exitCode: upload.length } });
    expect((await berth(['exec', '-i', 'web', 'wc', '-c'], 'seven!!')).code).toBe(7);
    expect(paramsOf('container.exec')[0]).toEqual({ id: 'web', cmd: ['wc', '-c'], interactive: true });
    script = (f, send) => send({ t: 'res', id: f.id, result: { execId: 'e2' } });
    expect(await berth(['exec', '-d', 'web', 'sleep', '9'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(paramsOf('container.exec')[1]).toEqual({ id: 'web', cmd: ['sleep', '9'], detach: true });
  });
});

describe('logs, ps, prune', () => {
  it('logs flags are sent as params (durations resolved to RFC 3339)', async () => {
    script = (f, send) => { out(send, f.id, 'line\n'); send({ t: 'res', id: f.id, result: null }); };
    const r = await berth(['logs', '-f', '-t', '--tail', '3', '--since', '2024-01-02T03:04:05Z', '--until', '1700000000', 'web']);
    expect(r).toEqual({ code: 0, stdout: 'line\n', stderr: '' });
    expect(paramsOf('container.logs')).toEqual([{ id: 'web', follow: true, timestamps: true, tail: 3, since: '2024-01-02T03:04:05Z', until: '2023-11-14T22:13:20Z' }]);
    const bad = await berth(['logs', '--since', 'yesterday', 'web']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^berth: invalid value for --since: "yesterday" is not a time/);
  });

  it('ps filters, -a and -n are sent as params; --format renders rows', async () => {
    script = (f, send) => send({ t: 'res', id: f.id, result: [{
      id: ID, name: 'web', image: 'busybox', command: 'sh', created: new Date().toISOString(), state: 'exited', status: 'Exited (0)',
      exitCode: 0, startedAt: null, finishedAt: null,
    }] });
    const r = await berth(['ps', '-a', '-n', '5', '--filter', 'status=exited', '--filter', 'status=created', '-f', 'name=web', '--format', '{{.Names}} {{.State}}']);
    expect(r).toEqual({ code: 0, stdout: 'web exited\n', stderr: '' });
    expect(paramsOf('container.list')).toEqual([{ all: true, limit: 5, filters: { status: ['exited', 'created'], name: ['web'] } }]);
    const bad = await berth(['ps', '--filter', 'oops']);
    expect(bad).toMatchObject({ code: 1, stderr: 'berth: bad format of filter "oops" (expected name=value, e.g. --filter status=exited)\n' });
  });

  it('container prune: "n" on a non-terminal stdin declines, nothing is removed', async () => {
    const r = await berth(['container', 'prune'], 'n\n');
    expect(r).toEqual({ code: 0, stdout: 'WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] \n', stderr: '' });
    expect(requests).toEqual([]);
  });

  it('container prune: "y" (or -f) prunes and prints Docker\'s report', async () => {
    script = (f, send) => send({ t: 'res', id: f.id, result: { deleted: ['a'.repeat(64), 'b'.repeat(64)] } });
    const r = await berth(['container', 'prune'], 'y\n');
    expect(r.stdout).toBe('WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] \n' +
      `Deleted Containers:\n${'a'.repeat(64)}\n${'b'.repeat(64)}\n\nTotal reclaimed space: 0B\n`);
    script = (f, send) => send({ t: 'res', id: f.id, result: { deleted: [], spaceReclaimed: 1_500_000 } });
    expect(await berth(['container', 'prune', '-f'])).toEqual({ code: 0, stdout: 'Total reclaimed space: 1.5MB\n', stderr: '' });
    expect(paramsOf('container.prune')).toEqual([{}, {}]);
  });
});

describe('inspect, top, stats, events, and the one-line verbs', () => {
  it('inspect: container first, then image; unknown names reported; JSON array indented by 4', async () => {
    script = (f, send) => {
      const p = f.params as { id?: string; name?: string };
      if (f.method === 'container.inspect') {
        if (p.id === 'web') return send({ t: 'res', id: f.id, result: { Id: ID, State: { ExitCode: 3 } } });
        return notFound(send, f.id, `No such container: ${p.id}`);
      }
      if (p.name === 'busybox') return send({ t: 'res', id: f.id, result: { Id: 'sha256:' + 'e'.repeat(64) } });
      notFound(send, f.id, `No such image: ${p.name}`);
    };
    const r = await berth(['inspect', 'web', 'busybox', 'ghost']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual([{ Id: ID, State: { ExitCode: 3 } }, { Id: 'sha256:' + 'e'.repeat(64) }]);
    expect(r.stdout).toContain('\n    {\n        "Id"');
    expect(r.stderr).toBe('berth: No such object: ghost\n'); // Docker: "Error: No such object: ghost"
    expect(await berth(['inspect', '--format', '{{.State.ExitCode}}', 'web'])).toEqual({ code: 0, stdout: '3\n', stderr: '' });
    expect(await berth(['container', 'inspect', '-f', '{{json .State}}', 'web'])).toEqual({ code: 0, stdout: '{"ExitCode":3}\n', stderr: '' });
    const onlyContainers = await berth(['container', 'inspect', 'busybox']);
    expect(onlyContainers).toEqual({ code: 1, stdout: '[]\n', stderr: 'berth: Error response from daemon: No such container: busybox\n' });
    const badTemplate = await berth(['inspect', '-f', '{{.State', 'web']);
    expect(badTemplate.code).toBe(1);
    expect(badTemplate.stderr).toMatch(/^berth: template parsing error: /);
  });

  it('top prints the process table', async () => {
    script = (f, send) => send({ t: 'res', id: f.id, result: { titles: ['PID', 'CMD'], processes: [['1', 'sleep 100']] } });
    expect(await berth(['top', 'web'])).toEqual({ code: 0, stdout: 'PID                 CMD\n1                   sleep 100\n', stderr: '' });
    expect(paramsOf('container.top')).toEqual([{ id: 'web' }]);
  });

  it('stats --no-stream prints one table', async () => {
    script = (f, send) => send({ t: 'res', id: f.id, result: [{
      id: ID, name: 'web', read: '', cpuPercent: 0.5, memoryUsage: 1024 * 1024, memoryLimit: 1024 ** 3, memoryPercent: 0.1,
      pids: 1, blockRead: 0, blockWrite: 0, netRx: 0, netTx: 0,
    }] });
    const r = await berth(['stats', '--no-stream', '-a', 'web']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O   BLOCK I/O   PIDS\n' +
      'cccccccccccc   web       0.50%     1MiB / 1GiB         0.10%     0B / 0B   0B / 0B     1\n');
    expect(paramsOf('container.stats')).toEqual([{ ids: ['web'], all: true, stream: false }]);
  });

  it('stats streams: asks the daemon for a stream and prints each pushed table after the last off a terminal', async () => {
    const sample = {
      id: ID, name: 'web', read: '', cpuPercent: 0, memoryUsage: 0, memoryLimit: 0, memoryPercent: 0,
      pids: 1, blockRead: 0, blockWrite: 0, netRx: 0, netTx: 0,
    };
    script = (f, send) => {
      ev(send, f.id, { kind: 'stats', samples: [sample] });
      ev(send, f.id, { kind: 'stats', samples: [{ ...sample, cpuPercent: 99.5, pids: 3 }] });
      send({ t: 'res', id: f.id, result: [] });
    };
    const r = await berth(['stats', '--format', '{{.Container}} {{.CPUPerc}} {{.PIDs}}', 'web']);
    expect(r).toEqual({ code: 0, stdout: 'web 0.00% 1\nweb 99.50% 3\n', stderr: '' });
    expect(paramsOf('container.stats')).toEqual([{ ids: ['web'], stream: true }]);
  });

  it('events prints Docker\'s lines until the daemon ends the stream; --format uses Docker\'s fields', async () => {
    const event = { time: '2026-11-28T04:00:00.123456789Z', timeNano: 1, type: 'container', action: 'start', id: ID, attributes: { name: 'x', image: 'busybox' }, seq: 1 };
    script = (f, send) => {
      ev(send, f.id, { kind: 'data', data: Buffer.from(JSON.stringify(event)) });
      ev(send, f.id, { kind: 'data', data: Buffer.from(JSON.stringify({ ...event, action: 'die', attributes: { exitCode: '0' } })) });
      send({ t: 'res', id: f.id, result: null });
    };
    expect(await berth(['events', '--since', '2026-11-28T00:00:00Z', '--filter', 'type=container'])).toEqual({
      code: 0, stderr: '',
      stdout: `2026-11-28T04:00:00.123456789Z container start ${ID} (image=busybox, name=x)\n2026-11-28T04:00:00.123456789Z container die ${ID} (exitCode=0)\n`,
    });
    expect(paramsOf('system.events')).toEqual([{ since: '2026-11-28T00:00:00Z', filters: { type: ['container'] } }]);
    expect((await berth(['events', '--format', '{{.Action}} {{.Actor.Attributes.name}}'])).stdout).toBe('start x\ndie <no value>\n');
  });

  it('restart -t, kill -s, pause, unpause echo names; rename is silent', async () => {
    script = (f, send) => send({ t: 'res', id: f.id, result: f.method === 'container.rename' || f.method.endsWith('pause') ? null : { id: 'x' } });
    expect(await berth(['restart', '-t', '2', 'a', 'b'])).toMatchObject({ code: 0 });
    expect(await berth(['kill', '-s', 'HUP', 'a'])).toEqual({ code: 0, stdout: 'a\n', stderr: '' });
    expect(await berth(['kill', 'a'])).toEqual({ code: 0, stdout: 'a\n', stderr: '' });
    expect(await berth(['pause', 'a'])).toEqual({ code: 0, stdout: 'a\n', stderr: '' });
    expect(await berth(['container', 'unpause', 'a'])).toEqual({ code: 0, stdout: 'a\n', stderr: '' });
    expect(await berth(['rename', 'a', 'b'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(paramsOf('container.restart').sort((x, y) => String(x.id).localeCompare(String(y.id)))).toEqual([{ id: 'a', timeout: 2 }, { id: 'b', timeout: 2 }]);
    expect(paramsOf('container.kill')).toEqual([{ id: 'a', signal: 'HUP' }, { id: 'a' }]);
    expect(paramsOf('container.pause')).toEqual([{ id: 'a' }]);
    expect(paramsOf('container.unpause')).toEqual([{ id: 'a' }]);
    expect(paramsOf('container.rename')).toEqual([{ id: 'a', name: 'b' }]);
  });
});
