// --stdin: the container's stdin is a pipe the shim writes from STDIN frames,
// with one writer at a time, backpressure, and STDIN_CLOSE.
import { execFileSync } from 'node:child_process';
import { readFileSync, readlinkSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AttachConn, FRAME, Sandbox, eventually, processAlive } from './helpers.js';

let box: Sandbox;
const conns: AttachConn[] = [];

afterEach(async () => {
  for (const c of conns.splice(0)) c.close();
  await box?.cleanup();
});

async function open(): Promise<AttachConn> {
  const c = await AttachConn.open(join(box.state, 'attach.sock'));
  conns.push(c);
  return c;
}

const replies = (c: AttachConn) => c.frames.filter((f) => f.type === FRAME.OK || f.type === FRAME.ERROR);

describe('berth-shim --stdin', () => {
  it('writes STDIN frames to the container and closes its stdin on STDIN_CLOSE', async () => {
    box = new Sandbox();
    box.makeBundle(['sh', '-c', 'cat; echo cat-done']);
    const reply = await box.runShim(['--stdin']);
    expect(reply.json.ok).toBe(true);
    expect(readlinkSync(`/proc/${reply.json.pid}/fd/0`)).toMatch(/^pipe:/);
    const c = await open();
    // Written before START: waits in the pipe.
    c.send(FRAME.STDIN, 'hello\n');
    c.send(FRAME.START);
    expect((await c.reply(0)).type).toBe(FRAME.OK);
    await c.waitUntil(() => c.stream(FRAME.STDOUT) === 'hello\n', 'hello echoed');
    c.send(FRAME.STDIN, Buffer.from('wor'));
    c.send(FRAME.STDIN, Buffer.alloc(0)); // empty frames are fine
    c.send(FRAME.STDIN, Buffer.from('ld\n'));
    c.send(FRAME.STDIN_CLOSE);
    const closed = await c.reply(1);
    expect(closed.type).toBe(FRAME.OK);
    expect(JSON.parse(closed.payload.toString())).toEqual({ stdinClosed: true });
    const exit = await c.waitFrame((f) => f.type === FRAME.EXIT, 'exit frame');
    expect(JSON.parse(exit.payload.toString()).exitCode).toBe(0);
    expect(c.stream(FRAME.STDOUT)).toBe('hello\nworld\ncat-done\n');
    // STDIN frames get no replies of their own.
    expect(replies(c).length).toBe(2);
  });

  it('allows one stdin writer at a time', async () => {
    box = new Sandbox();
    box.makeBundle(['sh', '-c', 'cat']);
    const reply = await box.runShim(['--stdin']);
    expect(reply.json.ok).toBe(true);
    const first = await open();
    const second = await open();
    first.send(FRAME.START);
    expect((await first.reply(0)).type).toBe(FRAME.OK);
    first.send(FRAME.STDIN, 'from first\n');
    await first.waitUntil(() => first.stream(FRAME.STDOUT) === 'from first\n', 'first echoed');

    second.send(FRAME.STDIN, 'from second\n');
    let r = await second.reply(0);
    expect(r.type).toBe(FRAME.ERROR);
    expect(r.payload.toString()).toBe('stdin is attached by another client');
    second.send(FRAME.STDIN_CLOSE);
    r = await second.reply(1);
    expect(r.type).toBe(FRAME.ERROR);
    expect(r.payload.toString()).toBe('stdin is attached by another client');

    // Once the owner is gone, the other client may write.
    first.close();
    await eventually(() => readFileSyncSafe(join(box.state, 'shim.log')).includes('dropped'), 'the owner to be dropped');
    second.send(FRAME.STDIN, 'from second\n');
    second.send(FRAME.STDIN_CLOSE);
    expect((await second.reply(2)).type).toBe(FRAME.OK);
    const exit = await second.waitFrame((f) => f.type === FRAME.EXIT, 'exit frame');
    expect(JSON.parse(exit.payload.toString()).exitCode).toBe(0);
    // The refused bytes never reached the container.
    expect(second.stream(FRAME.STDOUT)).toBe('from first\nfrom second\n');
  });

  it('applies backpressure: stops reading from the writer while the container does not read', async () => {
    box = new Sandbox();
    const total = 1024 * 1024;
    box.makeBundle(['sh', '-c', 'read go < /gate; wc -c']);
    execFileSync('mkfifo', [join(box.bundle, 'rootfs/gate')]);
    const reply = await box.runShim(['--stdin']);
    expect(reply.json.ok).toBe(true);
    const writer = await open();
    writer.send(FRAME.START);
    expect((await writer.reply(0)).type).toBe(FRAME.OK);
    for (let i = 0; i < 16; i++) writer.send(FRAME.STDIN, Buffer.alloc(total / 16, 0x61));
    writer.send(FRAME.STDIN_CLOSE); // behind 1 MiB the shim cannot take yet
    writer.send(0x42);              // and a bad frame whose reply proves it was read

    // The shim stays responsive to others meanwhile.
    const other = await open();
    other.send(0x43);
    expect((await other.reply(0)).payload.toString()).toBe('unknown frame type 0x43');
    const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSyncSafe(`/proc/${reply.json.shimPid}/status`))![1]);
    expect(rss).toBeLessThan(1024 + 256); // it did not swallow the megabyte
    // The pipe (64 KiB) and the shim's buffer (64 KiB) cannot hold 1 MiB: the
    // writer's later frames cannot have been read yet.
    expect(replies(writer).length).toBe(1);

    await writeFile(join(box.bundle, 'rootfs/gate'), 'go\n');
    const closed = await writer.reply(1);
    expect(closed.type).toBe(FRAME.OK);
    expect((await writer.reply(2)).payload.toString()).toBe('unknown frame type 0x42');
    const exit = await writer.waitFrame((f) => f.type === FRAME.EXIT, 'exit frame');
    expect(JSON.parse(exit.payload.toString()).exitCode).toBe(0);
    expect(writer.stream(FRAME.STDOUT).trim()).toBe(String(total));
    await eventually(() => !processAlive(reply.json.shimPid!), 'the shim to exit');
  });

  it('delivers what a client sent before it hung up', async () => {
    box = new Sandbox();
    box.makeBundle(['sh', '-c', 'read go < /gate; wc -c']);
    execFileSync('mkfifo', [join(box.bundle, 'rootfs/gate')]);
    const reply = await box.runShim(['--stdin']);
    expect(reply.json.ok).toBe(true);
    const watcher = await open();
    const writer = await open();
    writer.send(FRAME.START);
    expect((await writer.reply(0)).type).toBe(FRAME.OK);
    const total = 512 * 1024;
    writer.send(FRAME.STDIN, Buffer.alloc(total, 0x62));
    writer.send(FRAME.STDIN_CLOSE);
    const finished = new Promise((r) => writer.sock.once('finish', r));
    writer.sock.end(); // half-close: all it wrote is on its way, nothing more comes
    await writeFile(join(box.bundle, 'rootfs/gate'), 'go\n');
    await finished;
    writer.sock.destroy();
    const exit = await watcher.waitFrame((f) => f.type === FRAME.EXIT, 'exit frame');
    expect(JSON.parse(exit.payload.toString()).exitCode).toBe(0);
    expect(watcher.stream(FRAME.STDOUT).trim()).toBe(String(total));
  });

  it('delivers stdin from a client that closed completely while held back', async () => {
    box = new Sandbox();
    box.makeBundle(['sh', '-c', 'read go < /gate; wc -c']);
    execFileSync('mkfifo', [join(box.bundle, 'rootfs/gate')]);
    const reply = await box.runShim(['--stdin']);
    expect(reply.json.ok).toBe(true);
    const watcher = await open();
    const writer = await open();
    writer.send(FRAME.START);
    expect((await writer.reply(0)).type).toBe(FRAME.OK);
    // More than the pipe and the shim's buffer hold, less than the socket buffers.
    const total = 160 * 1024;
    writer.send(FRAME.STDIN, Buffer.alloc(total, 0x63));
    writer.send(FRAME.STDIN_CLOSE);
    await eventually(() => writer.sock.writableLength === 0, 'the bytes to reach the kernel');
    writer.sock.destroy(); // both directions closed: the shim sees a hang-up
    await writeFile(join(box.bundle, 'rootfs/gate'), 'go\n');
    const exit = await watcher.waitFrame((f) => f.type === FRAME.EXIT, 'exit frame');
    expect(JSON.parse(exit.payload.toString()).exitCode).toBe(0);
    expect(watcher.stream(FRAME.STDOUT).trim()).toBe(String(total));
  });

  it('refuses STDIN without --stdin; the container reads /dev/null', async () => {
    box = new Sandbox();
    box.makeBundle(['sh', '-c', 'cat; echo eof']);
    const reply = await box.runShim();
    expect(reply.json.ok).toBe(true);
    const c = await open();
    c.send(FRAME.STDIN, 'ignored\n');
    let r = await c.reply(0);
    expect(r.type).toBe(FRAME.ERROR);
    expect(r.payload.toString()).toBe('stdin is not open');
    c.send(FRAME.STDIN_CLOSE);
    r = await c.reply(1);
    expect(r.payload.toString()).toBe('stdin is not open');
    c.send(FRAME.START);
    await c.waitFrame((f) => f.type === FRAME.EXIT, 'exit frame');
    expect(c.stream(FRAME.STDOUT)).toBe('eof\n');
  });
});

function readFileSyncSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
