// Fuzzing the control channel (issue 8): random and malformed frames, a
// frame over the size limit, a client that stops reading a fast stream, and
// three thousand clients at once. The daemon stays up, answers with clear
// errors, and its memory stays bounded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { pack, unpack } from 'msgpackr';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { loadBusybox, ok } from '../fixtures/e2e-helpers.js';
import { CONTROL_PATH } from '../../src/protocol/frames.js';
import { Prng } from '../chaos/prng.js';

let d: TestDaemon;

beforeAll(async () => {
  d = await startDaemon();
  loadBusybox(d);
});

afterAll(async () => {
  await d?.stop();
});

function connect(): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws+unix://${d.socket}:${CONTROL_PATH}`, { maxPayload: 0 });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function rssKiB(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}

/** A version request answered on a fresh connection: the daemon serves. */
async function daemonAnswers(): Promise<void> {
  const ws = await connect();
  const reply = new Promise<Record<string, unknown>>((r) => ws.once('message', (b: Buffer) => r(unpack(b) as Record<string, unknown>)));
  ws.send(pack({ t: 'req', id: 1, method: 'system.version', params: {} }));
  expect((await reply).t).toBe('res');
  ws.close();
}

function randomValue(rng: Prng, depth = 0): unknown {
  switch (rng.int(depth > 2 ? 6 : 9)) {
    case 0: return rng.int(2 ** 31) - 2 ** 30;
    case 1: return rng.next() * 1e12;
    case 2: return 'x'.repeat(rng.int(300));
    case 3: return rng.pick(['req', 'data', 'end', 'cancel', 'res', 'ev', 'err', '', 'system.version', 'container.logs', 'image.pull']);
    case 4: return null;
    case 5: return Buffer.alloc(rng.int(64), rng.int(256));
    case 6: return Array.from({ length: rng.int(5) }, () => randomValue(rng, depth + 1));
    case 7: return Object.fromEntries(Array.from({ length: rng.int(5) }, () => [rng.pick(['t', 'id', 'method', 'params', 'data', 'image', 'ref', 'name', 'x']), randomValue(rng, depth + 1)]));
    default: return rng.next() < 0.5;
  }
}

function randomFrame(rng: Prng): Buffer {
  const kind = rng.int(4);
  if (kind === 0) return Buffer.from(Array.from({ length: rng.int(200) }, () => rng.int(256)));
  const frame = kind === 1
    ? { t: 'req', id: rng.int(1000), method: rng.pick(['system.version', 'system.info', 'container.list', 'image.list', 'container.inspect', 'image.inspect', 'container.logs', 'no.such']), params: randomValue(rng) }
    : (randomValue(rng) as object);
  const bytes = pack(frame);
  // sometimes cut short
  return kind === 3 ? bytes.subarray(0, rng.int(bytes.length + 1)) : bytes;
}

describe('control channel fuzzing', () => {
  it('random and malformed frames get errors, never a crash or a stack trace', async () => {
    const rng = new Prng(7);
    for (let c = 0; c < 20; c++) {
      const ws = await connect();
      const replies: Record<string, unknown>[] = [];
      ws.on('message', (b: Buffer) => replies.push(unpack(b) as Record<string, unknown>));
      for (let i = 0; i < 100; i++) ws.send(randomFrame(rng), { binary: rng.next() < 0.95 });
      await sleep(100);
      for (const r of replies) {
        if (r.t === 'err') expect((r.error as { message: string }).message).not.toMatch(/\n\s+at /);
      }
      ws.terminate();
    }
    expect(d.proc.exitCode).toBeNull();
    await daemonAnswers();
  });

  it('a frame over the size limit closes that connection only', async () => {
    const ws = await connect();
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    ws.send(pack({ t: 'req', id: 1, method: 'system.version', params: { junk: Buffer.alloc(9 * 1024 * 1024) } }));
    // 1009 (message too big) when the client reads the close frame, 1006
    // when the daemon's close reaches it while it is still sending
    expect([1009, 1006]).toContain(await closed);
    await daemonAnswers();
  });

  it('a client that stops reading a fast log stream does not grow the daemon', async () => {
    ok(d.berth(['run', '-d', '--name', 'firehose', 'busybox', 'sh', '-c', 'yes firehose-line | head -c 300000000; sleep 600']));
    const before = rssKiB(d.proc.pid!);
    const ws = await connect();
    ws.send(pack({ t: 'req', id: 1, method: 'container.logs', params: { id: 'firehose', follow: true } }));
    // stop reading: the socket's buffers fill and the daemon must wait, not buffer
    (ws as unknown as { _socket: { pause(): void } })._socket.pause();
    let peak = before;
    for (let i = 0; i < 30; i++) {
      await sleep(300);
      peak = Math.max(peak, rssKiB(d.proc.pid!));
    }
    const id = ok(d.berth(['inspect', '--format', '{{.Id}}', 'firehose'])).trim();
    const logBytes = statSync(join(d.root, 'containers', id, 'container.log')).size;
    // the stream had far more to send than the daemon may hold
    expect(logBytes).toBeGreaterThan(100 * 1024 * 1024);
    ws.terminate();
    expect(peak - before, `daemon RSS grew from ${before} to ${peak} KiB while the log reached ${logBytes} bytes`).toBeLessThan(150 * 1024);
    ok(d.berth(['rm', '-f', 'firehose']));
    await daemonAnswers();
  });

  it('three thousand clients at once are all answered', async () => {
    const before = rssKiB(d.proc.pid!);
    const clients = await Promise.all(Array.from({ length: 3000 }, () => connect()));
    const answers = await Promise.all(
      clients.map(
        (ws, i) =>
          new Promise<unknown>((r) => {
            ws.once('message', (b: Buffer) => r((unpack(b) as { t: string }).t));
            ws.send(pack({ t: 'req', id: i + 1, method: 'system.version', params: {} }));
          }),
      ),
    );
    expect(answers.every((t) => t === 'res')).toBe(true);
    const during = rssKiB(d.proc.pid!);
    for (const ws of clients) ws.terminate();
    expect(during - before, `RSS ${before} → ${during} KiB with 3000 clients`).toBeLessThan(300 * 1024);
    await daemonAnswers();
  });
});
