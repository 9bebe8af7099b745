// The control-channel client against a real websocket server on a real unix socket.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { connect, isDaemonError, unavailableMessage, UPLOAD_CHUNK_BYTES, type BerthClient } from '../../cli/client.js';
import type { StreamEvent } from '../../src/protocol/frames.js';
import { startControlServer, type ControlServer } from './control-server.js';
import { rejection } from '../fixtures/stand-ins.js';

let server: ControlServer | undefined;
let client: BerthClient | undefined;
afterEach(async () => {
  client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

describe('control-channel client', () => {
  it('delivers events in order, then resolves with the result', async () => {
    server = await startControlServer((f, peer) => {
      if (f.t !== 'req') return;
      expect(f).toMatchObject({ method: 'image.pull', params: { ref: 'busybox' } });
      peer.send({ t: 'ev', id: f.id, ev: { kind: 'status', message: 'latest: Pulling from library/busybox' } });
      peer.send({ t: 'ev', id: f.id, ev: { kind: 'progress', id: 'l1', status: 'Downloading', current: 5, total: 10 } });
      peer.send({ t: 'ev', id: f.id, ev: { kind: 'output', stream: 2, data: new Uint8Array([104, 105]) } });
      peer.send({ t: 'res', id: f.id, result: { ref: 'docker.io/library/busybox:latest', digest: 'sha256:d', id: 'sha256:i' } });
    });
    client = await connect(server.host, {});
    const events: StreamEvent[] = [];
    const result = await client.call('image.pull', { ref: 'busybox' }, { onEvent: (ev) => { events.push(ev); } });
    expect(result).toEqual({ ref: 'docker.io/library/busybox:latest', digest: 'sha256:d', id: 'sha256:i' });
    expect(events.map((e) => e.kind)).toEqual(['status', 'progress', 'output']);
    const out = events[2] as Extract<StreamEvent, { kind: 'output' }>;
    expect(out.stream).toBe(2);
    expect(Buffer.from(out.data).toString()).toBe('hi');
  });

  it('an err frame rejects with a BerthError carrying the code, marked as from the daemon', async () => {
    server = await startControlServer((f, peer) => {
      if (f.t === 'req') peer.send({ t: 'err', id: f.id, error: { code: 'command_not_found', message: 'exec: "nope": not found in $PATH' } });
    });
    client = await connect(server.host, {});
    const err = await rejection(client.call('container.run', { image: 'busybox', cmd: ['nope'] }));
    expect(err.code).toBe('command_not_found');
    expect(err.message).toBe('exec: "nope": not found in $PATH');
    expect(isDaemonError(err)).toBe(true);
  });

  it('an unknown error code from the daemon becomes internal', async () => {
    server = await startControlServer((f, peer) => {
      if (f.t === 'req') peer.send({ t: 'err', id: f.id, error: { code: 'weird' as 'internal', message: 'odd' } });
    });
    client = await connect(server.host, {});
    expect((await rejection(client.call('system.info', {}))).code).toBe('internal');
  });

  it('uploads a stream chunk by chunk (≤ 256 KiB each) after the request, then an end frame', async () => {
    const input = Buffer.alloc(3 * UPLOAD_CHUNK_BYTES + 12_345);
    for (let i = 0; i < input.length; i++) input[i] = (i * 31) % 251;
    const chunks: Buffer[] = [];
    server = await startControlServer((f, peer) => {
      if (f.t === 'data') chunks.push(Buffer.from(f.data));
      if (f.t === 'end') peer.send({ t: 'res', id: f.id, result: { loaded: [`busybox:latest (${Buffer.concat(chunks).length} bytes)`] } });
    });
    client = await connect(server.host, {});
    // Pieces bigger than a frame, to make the client split them.
    const source = Readable.from([input.subarray(0, 600_000), input.subarray(600_000)]);
    const result = await client.call('image.load', {}, { upload: source });
    expect(result.loaded).toEqual([`busybox:latest (${input.length} bytes)`]);
    expect(server.received[0].t).toBe('req');
    expect(server.received.at(-1)?.t).toBe('end');
    expect(chunks.length).toBeGreaterThanOrEqual(4);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(UPLOAD_CHUNK_BYTES);
    expect(Buffer.concat(chunks).equals(input)).toBe(true);
  });

  it('stops uploading when the daemon answers early with an error', async () => {
    server = await startControlServer((f, peer) => {
      if (f.t === 'req') peer.send({ t: 'err', id: f.id, error: { code: 'invalid_argument', message: 'not a tar archive' } });
    });
    client = await connect(server.host, {});
    const endless = new Readable({ read() { this.push(Buffer.alloc(64 * 1024)); } });
    const err = await rejection(client.call('image.load', {}, { upload: endless }));
    expect(err.message).toBe('not a tar archive');
  });

  it('a daemon that closes the connection mid-call rejects the call, naming it', async () => {
    server = await startControlServer((f, peer) => {
      if (f.t !== 'req') return;
      peer.send({ t: 'ev', id: f.id, ev: { kind: 'output', stream: 1, data: Buffer.from('partial') } });
      setTimeout(() => peer.socket.terminate(), 20);
    });
    client = await connect(server.host, {});
    const events: StreamEvent[] = [];
    const err = await rejection(client.call('container.logs', { id: 'c1' }, { onEvent: (ev) => { events.push(ev); } }));
    expect(err.code).toBe('daemon_unavailable');
    expect(err.message).toMatch(/closed the connection before answering 'container.logs'/);
    expect(isDaemonError(err)).toBe(false);
    expect(events).toHaveLength(1);
    // Later calls on the dead connection fail at once too.
    expect((await rejection(client.call('system.info', {}))).code).toBe('daemon_unavailable');
  });

  it('waits for a slow event handler before handling the next frame (backpressure)', async () => {
    server = await startControlServer((f, peer) => {
      if (f.t !== 'req') return;
      for (let i = 0; i < 5; i++) peer.send({ t: 'ev', id: f.id, ev: { kind: 'output', stream: 1, data: Buffer.from(String(i)) } });
      peer.send({ t: 'res', id: f.id, result: null });
    });
    client = await connect(server.host, {});
    const log: string[] = [];
    await client.call('container.logs', { id: 'c1' }, {
      onEvent: async (ev) => {
        if (ev.kind !== 'output') return;
        log.push(`start ${Buffer.from(ev.data).toString()}`);
        await new Promise((r) => setTimeout(r, 5));
        log.push(`end ${Buffer.from(ev.data).toString()}`);
      },
    });
    expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2', 'start 3', 'end 3', 'start 4', 'end 4']);
  });

  it('multiplexes concurrent calls by id and sends cancel on abort', async () => {
    server = await startControlServer((f, peer) => {
      if (f.t === 'req' && f.method === 'container.stop') setTimeout(() => peer.send({ t: 'res', id: f.id, result: { id: f.params.id } }), 10);
      if (f.t === 'req' && f.method === 'container.remove') peer.send({ t: 'res', id: f.id, result: { id: f.params.id } });
      if (f.t === 'cancel') peer.send({ t: 'err', id: f.id, error: { code: 'internal', message: 'cancelled' } });
    });
    client = await connect(server.host, {});
    const [a, b] = await Promise.all([client.call('container.stop', { id: 'a' }), client.call('container.remove', { id: 'b' })]);
    expect([a, b]).toEqual([{ id: 'a' }, { id: 'b' }]);
    const abort = new AbortController();
    const pending = client.call('container.logs', { id: 'c' }, { signal: abort.signal });
    abort.abort();
    expect((await rejection(pending)).message).toBe('cancelled');
    expect(server.received.filter((f) => f.t === 'cancel')).toHaveLength(1);
  });

  it('a message that is not a frame fails the call clearly instead of hanging', async () => {
    server = await startControlServer((f, peer) => {
      if (f.t === 'req') peer.socket.send('hello, I am not msgpack');
    });
    client = await connect(server.host, {});
    const err = await rejection(client.call('system.version', {}));
    expect(err.code).toBe('internal');
    expect(err.message).toMatch(/not a control-channel frame .*same version/);
  });

  it('with nothing listening: daemon_unavailable with the "Cannot connect" hint', async () => {
    const err = await rejection(connect('unix:///nonexistent/berth.sock', {}));
    expect(err.code).toBe('daemon_unavailable');
    expect(err.message).toBe('Cannot connect to the Berth daemon at unix:///nonexistent/berth.sock. Is berthd running? ' +
      '(start it with `berthd`, or point -H/BERTH_HOST at its socket)');
  });

  it('uses BERTH_HOST when no -H is given', async () => {
    const err = await rejection(connect(undefined, { BERTH_HOST: 'unix:///nonexistent/env.sock' }));
    expect(err.message).toMatch(/^Cannot connect to the Berth daemon at unix:\/\/\/nonexistent\/env\.sock\./);
  });

  it('a stale socket file (ECONNREFUSED) reads the same as no daemon', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-cli-test-'));
    const path = join(dir, 'stale.sock');
    // A listener killed with SIGKILL leaves its socket file behind, like a crashed daemon.
    const child = spawnSync(process.execPath,
      ['-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => process.kill(process.pid, 'SIGKILL'))`]);
    expect(child.signal).toBe('SIGKILL');
    try {
      const err = await rejection(connect(`unix://${path}`, {}));
      expect(err.code).toBe('daemon_unavailable');
      expect(err.message).toMatch(/^Cannot connect to the Berth daemon at unix:\/\/.*stale\.sock\. Is berthd running\?/);
      expect((err.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says permission denied for EACCES', () => {
    const address = { url: 'unix:///run/berth/berth.sock', socketPath: '/run/berth/berth.sock' };
    const err = Object.assign(new Error('connect EACCES'), { code: 'EACCES' });
    expect(unavailableMessage(address, err)).toMatch(/^Cannot connect to the Berth daemon at unix:\/\/\/run\/berth\/berth\.sock: permission denied on the socket\./);
  });

  it('a socket that is not a Berth daemon gets a clear error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'berth-cli-test-'));
    const path = join(dir, 'other.sock');
    const http = createServer((_req, res) => { res.statusCode = 404; res.end('not here'); });
    await new Promise<void>((r) => http.listen(path, r));
    try {
      const err = await rejection(connect(`unix://${path}`, {}));
      expect(err.code).toBe('daemon_unavailable');
      expect(err.message).toMatch(/answered, but not as a Berth daemon \(HTTP 404 on \/v1\/control\)/);
    } finally {
      await new Promise<void>((r) => http.close(() => r()));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
