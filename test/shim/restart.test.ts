// A shim outlives the daemon: it can be found again through STATE/shim.pid,
// a client connecting later gets the protocol from then on, and a log file
// is appended to across shims of the same container.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AttachConn, FRAME, Sandbox, decodeLog, eventually, processAlive } from './helpers.js';

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

describe('berth-shim across a daemon restart', () => {
  it('is found through shim.pid and serves a client that connects later', async () => {
    box = new Sandbox();
    box.makeBundle(['sh', '-c', 'echo before; read x < /gate; echo after; read y; echo "y=$y"; exit 9']);
    execFileSync('mkfifo', [join(box.bundle, 'rootfs/gate')]);
    const reply = await box.runShim(['--stdin']);
    expect(reply.json.ok).toBe(true);
    const shimPid = reply.json.shimPid!;
    expect(Number(readFileSync(join(box.state, 'shim.pid'), 'utf8'))).toBe(shimPid);
    expect(readFileSync(`/proc/${shimPid}/cmdline`, 'utf8').split('\0')).toContain(box.id);

    // The "daemon" starts the container, takes stdin, sees some output, and dies.
    const first = await open();
    first.send(FRAME.START);
    first.send(FRAME.STDIN, Buffer.alloc(0));
    await first.waitUntil(() => first.stream(FRAME.STDOUT) === 'before\n', 'before');
    first.close();
    await eventually(() => readFileSync(join(box.state, 'shim.log'), 'utf8').includes('dropped: hung up'), 'the shim to notice');

    // The restarted daemon finds the shim and reconnects.
    const pid = Number(readFileSync(join(box.state, 'shim.pid'), 'utf8'));
    expect(processAlive(pid)).toBe(true);
    const second = await open();
    // stdin was released with the dead client: the new one may write.
    second.send(FRAME.STDIN, Buffer.alloc(0));
    second.send(FRAME.RESIZE, '1 1'); // a reply that proves the STDIN frame was taken
    expect((await second.reply(0)).payload.toString()).toBe('no terminal');
    await writeFile(join(box.bundle, 'rootfs/gate'), 'go\n');
    await second.waitUntil(() => second.stream(FRAME.STDOUT) === 'after\n', 'after');
    second.send(FRAME.STDIN, 'later\n');
    const exit = await second.waitFrame((f) => f.type === FRAME.EXIT, 'exit frame');
    expect(JSON.parse(exit.payload.toString())).toMatchObject({ exitCode: 9 });
    // Output from the reconnect on: nothing from before.
    expect(second.stream(FRAME.STDOUT)).toBe('after\ny=later\n');
    await eventually(() => !processAlive(pid), 'the shim to exit');
    expect(existsSync(join(box.state, 'shim.pid'))).toBe(false);
    expect(existsSync(join(box.state, 'exit.json'))).toBe(true);
  });

  it('appends to --log-file across shims of the same container, never truncating', async () => {
    box = new Sandbox();
    const logFile = join(box.dir, 'container.log');
    const jsonFile = join(box.dir, 'container.json.log');
    box.makeBundle(['sh', '-c', 'echo first']);
    await box.runToExit(['--log-file', logFile]);
    box.editConfig((c) => { c.process.args = ['sh', '-c', 'echo second']; });
    await box.runToExit(['--log-file', logFile]);
    expect(decodeLog(readFileSync(logFile)).map((r) => r.data.toString())).toEqual(['first\n', 'second\n']);

    box.editConfig((c) => { c.process.args = ['sh', '-c', 'echo one']; });
    await box.runToExit(['--log-driver', 'json-file', '--log-file', jsonFile, '--log-max-size', '100000']);
    box.editConfig((c) => { c.process.args = ['sh', '-c', 'echo two']; });
    await box.runToExit(['--log-driver', 'json-file', '--log-file', jsonFile, '--log-max-size', '100000']);
    const lines = readFileSync(jsonFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l).log);
    expect(lines).toEqual(['one\n', 'two\n']);
  });

  it('counts what a log file already holds towards rotation', async () => {
    box = new Sandbox();
    const logFile = join(box.dir, 'container.log');
    box.makeBundle(['sh', '-c', 'head -c 3000 /dev/zero | tr "\\0" a']);
    await box.runToExit(['--log-file', logFile, '--log-max-size', '4096', '--log-max-file', '2']);
    expect(existsSync(`${logFile}.1`)).toBe(false);
    // The second shim finds 3013 bytes: 3013 more do not fit, so it rotates first.
    await box.runToExit(['--log-file', logFile, '--log-max-size', '4096', '--log-max-file', '2']);
    expect(decodeLog(readFileSync(`${logFile}.1`)).map((r) => r.data.length)).toEqual([3000]);
    expect(decodeLog(readFileSync(logFile)).map((r) => r.data.length)).toEqual([3000]);
  });
});
