// The attach protocol beyond the happy path: several clients, a client that
// never reads, bad frames, commands the runtime rejects, and a client that
// connects after the container has exited.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AttachConn, FRAME, RUNC, Sandbox, eventually, processAlive } from './helpers.js';

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

describe('berth-shim attach socket', () => {
  it('streams to every client; a client that never reads is dropped without blocking the container', async () => {
    box = new Sandbox();
    // The container prints one 64 KiB chunk per token it reads from a fifo,
    // so the test paces it by the reading client and the outcome does not
    // depend on who is faster. The container holds the fifo open read-write
    // for its whole life: reopening it per token raced with the test's
    // writeFile closing its end (the shell's open saw the old writer, its
    // read then got EOF, and one token produced two chunks, leaving the last
    // writeFile blocked on a fifo nobody would open again).
    const chunk = 65536;
    const chunks = 32;
    box.makeBundle(['sh', '-c', `exec 3<>/gate; i=0; while [ $i -lt ${chunks} ]; do read t <&3 || exit 9; head -c ${chunk} /dev/zero | tr '\\0' x; i=$((i+1)); done; echo done >&2`]);
    execFileSync('mkfifo', [join(box.bundle, 'rootfs/gate')]);
    const reply = await box.runShim();
    expect(reply.json.ok).toBe(true);

    const stalled = await open();
    stalled.sock.pause(); // reads nothing more once Node's own buffer is full
    const reader = await open();
    reader.send(FRAME.START);
    expect((await reader.reply(0)).type).toBe(FRAME.OK);
    for (let i = 1; i <= chunks; i++) {
      await writeFile(join(box.bundle, 'rootfs/gate'), 'go\n');
      await reader.waitUntil(() => reader.streamLength(FRAME.STDOUT) >= i * chunk, `chunk ${i}`);
    }
    const exit = await reader.waitFrame((f) => f.type === FRAME.EXIT, 'exit frame');
    expect(JSON.parse(exit.payload.toString()).exitCode).toBe(0);
    expect(reader.stream(FRAME.STDOUT)).toBe('x'.repeat(chunk * chunks));
    expect(reader.stream(FRAME.STDERR)).toBe('done\n');

    // The stalled client was cut off: resuming shows a truncated stream and EOF, no exit frame.
    stalled.sock.resume();
    await stalled.waitClosed();
    expect(stalled.stream(FRAME.STDOUT).length).toBeLessThan(chunk * chunks);
    expect(stalled.frames.some((f) => f.type === FRAME.EXIT)).toBe(false);
    expect(readFileSync(join(box.state, 'shim.log'), 'utf8')).toMatch(/dropped: backlog limit exceeded/);
    await eventually(() => !processAlive(reply.json.shimPid!), 'the shim to exit');
  });

  it('answers bad frames and rejected commands with error frames', async () => {
    box = new Sandbox();
    box.makeBundle(['sleep', '1000']);
    const reply = await box.runShim();
    expect(reply.json.ok).toBe(true);
    const c = await open();

    c.send(0x42, 'x');
    let r = await c.reply(0);
    expect(r.type).toBe(FRAME.ERROR);
    expect(r.payload.toString()).toBe('unknown frame type 0x42');

    c.send(FRAME.KILL, 'TERM');
    r = await c.reply(1);
    expect(r.type).toBe(FRAME.ERROR);
    expect(r.payload.toString()).toMatch(/signal number/);

    c.send(FRAME.START);
    expect((await c.reply(2)).type).toBe(FRAME.OK);
    c.send(FRAME.START); // already running: the runtime refuses, its message comes back
    r = await c.reply(3);
    expect(r.type).toBe(FRAME.ERROR);
    expect(r.payload.toString()).toMatch(/running|created/);

    // Frames split across writes are reassembled.
    const frame = Buffer.from([FRAME.KILL, 0, 0, 0, 1, '9'.charCodeAt(0)]);
    c.sock.write(frame.subarray(0, 2));
    await new Promise((res) => setImmediate(res));
    c.sock.write(frame.subarray(2));
    expect((await c.reply(4)).type).toBe(FRAME.OK);
    const exit = await c.waitFrame((f) => f.type === FRAME.EXIT, 'exit frame');
    expect(JSON.parse(exit.payload.toString())).toMatchObject({ exitCode: 137, signal: 9 });
    await eventually(() => !processAlive(reply.json.shimPid!), 'the shim to exit');
  });

  it('gives a client that connects after the exit the exit frame at once', async () => {
    box = new Sandbox();
    box.makeBundle(['sh', '-c', 'exit 7']);
    // A runc wrapper whose `delete` waits for a file: this holds the shim
    // between the container's exit and its own.
    const gate = join(box.dir, 'release-delete');
    const wrapper = join(box.dir, 'runtime.sh');
    writeFileSync(wrapper, `#!/bin/sh
for a in "$@"; do
  if [ "$a" = delete ]; then
    touch ${gate}.waiting
    while [ ! -e ${gate} ]; do sleep 0.05; done
  fi
done
exec ${RUNC} "$@"
`);
    chmodSync(wrapper, 0o755);
    const reply = await box.runShim([], [
      '--id', box.id, '--bundle', box.bundle, '--state-dir', box.state,
      '--runtime', wrapper, '--runtime-root', box.runcRoot,
    ]);
    expect(reply.json.ok).toBe(true);
    const first = await open();
    first.send(FRAME.START);
    await first.waitFrame((f) => f.type === FRAME.EXIT, 'exit frame');
    await eventually(() => {
      try { readFileSync(`${gate}.waiting`); return true; } catch { return false; }
    }, 'the shim to run delete');

    const late = await open();
    writeFileSync(gate, '');
    const exit = await late.waitFrame((f) => f.type === FRAME.EXIT, 'exit frame for the late client');
    expect(JSON.parse(exit.payload.toString())).toMatchObject({ exitCode: 7, signal: 0 });
    expect(late.frames.map((f) => f.type)).toEqual([FRAME.EXIT]);
    late.send(FRAME.START);
    await late.waitClosed();
    await eventually(() => !processAlive(reply.json.shimPid!), 'the shim to exit');
    expect(box.runcList()).toEqual([]);
  });

  it('a frame the client sends as the container exits does not cost it unread output', async () => {
    box = new Sandbox();
    // 128 KiB of output (less than the socket and backlog hold), then exit; the client reads none of it until after the
    // exit and then writes a frame (as `docker exec -i` closing stdin does):
    // the shim must end the connection so that everything still arrives.
    box.makeBundle(['sh', '-c', 'head -c 131072 /dev/zero | tr "\\0" y']);
    const reply = await box.runShim();
    expect(reply.json.ok).toBe(true);
    const c = await open();
    c.sock.pause();
    c.send(FRAME.START);
    await eventually(() => existsSync(join(box.state, 'exit.json')), 'the exit record');
    c.send(FRAME.STDIN_CLOSE);
    let writeError: Error | undefined;
    c.sock.on('error', (e) => { writeError = e; });
    c.sock.resume();
    await c.waitClosed();
    expect(writeError).toBeUndefined();
    expect(c.streamLength(FRAME.STDOUT)).toBe(131072);
    expect(c.frames.some((f) => f.type === FRAME.EXIT)).toBe(true);
    await eventually(() => !processAlive(reply.json.shimPid!), 'the shim to exit');
  });
});
