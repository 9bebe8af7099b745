// Bad input on the control channel: malformed frames, unknown methods and
// parameters of the wrong type get clear errors, and the daemon stays up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { pack, unpack } from 'msgpackr';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { CONTROL_PATH } from '../../src/protocol/frames.js';

let daemon: TestDaemon;

beforeAll(async () => {
  daemon = await startDaemon();
});

afterAll(async () => {
  await daemon?.stop();
});

function connect(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws+unix://${daemon.socket}:${CONTROL_PATH}`);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function next(ws: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) => ws.once('message', (d: Buffer) => resolve(unpack(d) as Record<string, unknown>)));
}

const METHODS = [
  'system.version', 'system.info', 'system.events', 'image.pull', 'image.list', 'image.tag', 'image.remove', 'image.prune',
  'image.inspect', 'image.history', 'image.save', 'image.import', 'image.load', 'image.push', 'system.login',
  'container.run', 'container.create', 'container.start', 'container.attach', 'container.list', 'container.logs',
  'container.stop', 'container.restart', 'container.kill', 'container.wait', 'container.pause', 'container.unpause',
  'container.rename', 'container.resize', 'container.inspect', 'container.remove', 'container.prune', 'container.export',
  'container.exec', 'container.top', 'container.stats',
];

const BAD_PARAMS: Record<string, unknown>[] = [
  { id: 42, image: ['x'], ref: {}, name: 7, names: 'x', source: 1, target: null, server: [], auth: 3, until: '1' },
  { id: 'no-such-container', image: 'UPPER:bad tag', ref: '::', name: 'a b', names: ['nope'], source: 'nope', target: 'Bad Tag', timeout: 'x', filters: 'x', tail: 'x', rows: -1, cols: 1e9, signal: 'SIGNOPE', cmd: 'x', condition: 'soon' },
];

describe('control channel', () => {
  it('answers a frame that is not msgpack with a clear error', async () => {
    const ws = await connect();
    ws.send(Buffer.from([0xc1, 0xff, 0x00]));
    const f = await next(ws);
    expect(f.t).toBe('err');
    expect((f.error as { message: string }).message).toMatch(/malformed frame/);
    ws.close();
  });

  it('answers an unknown method and a wrong frame shape', async () => {
    const ws = await connect();
    ws.send(pack({ t: 'req', id: 1, method: 'no.such', params: {} }));
    expect(((await next(ws)).error as { message: string }).message).toMatch(/unknown method "no.such"/);
    ws.send(pack({ t: 'req', id: 'x', method: 1 }));
    expect((await next(ws)).t).toBe('err');
    ws.close();
  });

  it('answers every method with wrong parameters with an error, never a crash', async () => {
    const ws = await connect();
    let id = 100;
    for (const params of BAD_PARAMS) {
      for (const method of METHODS) {
        const myId = ++id;
        ws.send(pack({ t: 'req', id: myId, method, params }));
        ws.send(pack({ t: 'end', id: myId }));
        let f: Record<string, unknown>;
        do f = await next(ws);
        while (f.t === 'ev');
        expect(f.id, `${method} ${JSON.stringify(params)}`).toBe(myId);
        if (f.t === 'err') expect((f.error as { message: string }).message).not.toMatch(/\n\s+at /);
      }
    }
    ws.close();
    expect(daemon.proc.exitCode).toBeNull();
    const v = daemon.berth(['version']);
    expect(v.code).toBe(0);
  });
});
