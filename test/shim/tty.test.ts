// --terminal: the runtime creates a pty and sends its master over
// STATE/console.sock; output, stdin and RESIZE go through the master.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AttachConn, FRAME, Sandbox, decodeLog, eventually, processAlive } from './helpers.js';

let box: Sandbox;
const conns: AttachConn[] = [];

afterEach(async () => {
  for (const c of conns.splice(0)) c.close();
  await box?.cleanup();
});

async function open(path: string): Promise<AttachConn> {
  const c = await AttachConn.open(path);
  conns.push(c);
  return c;
}

describe('berth-shim --terminal', () => {
  it('runs the container on a pty: tty, stdin through the master, RESIZE, output as stdout only', async () => {
    box = new Sandbox();
    box.makeBundle(['sh', '-c', 'tty; echo to-stderr >&2; read x; echo "got $x"; stty size']);
    box.editConfig((c) => { c.process.terminal = true; });
    const reply = await box.runShim(['--terminal', '--stdin']);
    expect(reply.json, reply.stdout).toMatchObject({ ok: true });
    expect(existsSync(join(box.state, 'console.sock'))).toBe(false); // used once, then removed
    const c = await open(join(box.state, 'attach.sock'));
    c.send(FRAME.START);
    expect((await c.reply(0)).type).toBe(FRAME.OK);
    await c.waitUntil(() => c.stream(FRAME.STDOUT).includes('to-stderr'), 'tty and stderr lines');
    c.send(FRAME.RESIZE, '30 100');
    const resized = await c.reply(1);
    expect(resized.type).toBe(FRAME.OK);
    expect(JSON.parse(resized.payload.toString())).toEqual({ rows: 30, cols: 100 });
    c.send(FRAME.STDIN, 'hello\r');
    const exit = await c.waitFrame((f) => f.type === FRAME.EXIT, 'exit frame');
    expect(JSON.parse(exit.payload.toString()).exitCode).toBe(0);
    const out = c.stream(FRAME.STDOUT);
    // The terminal turns \n into \r\n and echoes what is typed.
    expect(out).toBe('/dev/pts/0\r\nto-stderr\r\nhello\r\ngot hello\r\n30 100\r\n');
    expect(c.frames.some((f) => f.type === FRAME.STDERR)).toBe(false);
    await c.waitClosed();
    await eventually(() => !processAlive(reply.json.shimPid!), 'the shim to exit');
    const records = decodeLog(readFileSync(join(box.state, 'container.log')));
    expect(records.every((r) => r.stream === 1)).toBe(true);
    expect(Buffer.concat(records.map((r) => r.data)).toString()).toBe(out);
  });

  it('STDIN_CLOSE on a terminal sends end-of-file', async () => {
    box = new Sandbox();
    box.makeBundle(['sh', '-c', 'stty -echo; echo ready; cat; echo cat-ended']);
    box.editConfig((c) => { c.process.terminal = true; });
    const reply = await box.runShim(['--terminal', '--stdin']);
    expect(reply.json.ok).toBe(true);
    const c = await open(join(box.state, 'attach.sock'));
    c.send(FRAME.START);
    await c.waitUntil(() => c.stream(FRAME.STDOUT).includes('ready'), 'ready');
    c.send(FRAME.STDIN, 'line\r');
    await c.waitUntil(() => c.stream(FRAME.STDOUT).includes('line\r\n'), 'cat echo');
    c.send(FRAME.STDIN_CLOSE);
    const exit = await c.waitFrame((f) => f.type === FRAME.EXIT, 'exit frame');
    expect(JSON.parse(exit.payload.toString()).exitCode).toBe(0);
    expect(c.stream(FRAME.STDOUT)).toBe('ready\r\nline\r\ncat-ended\r\n');
  });

  it('gives an exec a terminal of its own', async () => {
    box = new Sandbox();
    box.makeBundle(['sleep', '1000']);
    const reply = await box.runShim();
    expect(reply.json.ok).toBe(true);
    const c = await open(join(box.state, 'attach.sock'));
    c.send(FRAME.START);
    expect((await c.reply(0)).type).toBe(FRAME.OK);
    const proc = box.writeProcess('t1', ['sh', '-c', 'tty; read x; stty size'], { terminal: true });
    const ex = await box.runExec('t1', proc, ['--terminal', '--stdin']);
    expect(ex.json, ex.stdout).toMatchObject({ ok: true });
    const e = await open(join(box.dir, 'exec-t1', 'attach.sock'));
    e.send(FRAME.RESIZE, '7 42');
    expect((await e.reply(0)).type).toBe(FRAME.OK);
    // The terminal echoes what is typed at once: type only after `tty` has printed, or the echo may come first.
    await e.waitUntil(() => e.stream(FRAME.STDOUT).includes('\r\n'), 'the tty line');
    e.send(FRAME.STDIN, '\r');
    const exit = await e.waitFrame((f) => f.type === FRAME.EXIT, 'exit frame');
    expect(JSON.parse(exit.payload.toString()).exitCode).toBe(0);
    expect(e.stream(FRAME.STDOUT)).toMatch(/^\/dev\/pts\/\d+\r\n\r\n7 42\r\n$/);
  });

  it('refuses RESIZE without a terminal and malformed sizes', async () => {
    box = new Sandbox();
    box.makeBundle(['sleep', '1000']);
    const reply = await box.runShim();
    expect(reply.json.ok).toBe(true);
    const c = await open(join(box.state, 'attach.sock'));
    c.send(FRAME.RESIZE, '24 80');
    expect((await c.reply(0)).payload.toString()).toBe('no terminal');
    c.send(FRAME.RESIZE, '24x80');
    expect((await c.reply(1)).payload.toString()).toMatch(/ROWS COLS/);
    c.send(FRAME.KILL, '9');
    await c.waitFrame((f) => f.type === FRAME.EXIT, 'exit frame');
  });
});
