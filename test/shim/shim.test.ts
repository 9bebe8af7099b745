// berth-shim against runc: the invoker's reply, the attach protocol, the
// container log, exit.json, detaching from the invoker, and clean-up.
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  AttachConn, FRAME, SHIM, Sandbox, decodeLog, eventually, processAlive, sessionOf,
} from './helpers.js';

let box: Sandbox;

beforeAll(() => {
  if (!existsSync(SHIM)) throw new Error(`${SHIM} is missing: make -C native build/berth-shim`);
});

afterEach(async () => {
  await box?.cleanup();
});

async function createShim(args: string[], extra: string[] = []) {
  box = new Sandbox();
  box.makeBundle(args);
  const reply = await box.runShim(extra);
  expect(reply.json, reply.stderr).toMatchObject({ ok: true });
  expect(reply.code).toBe(0);
  return reply.json as { ok: true; pid: number; shimPid: number };
}

describe('berth-shim', () => {
  it('creates the container and replies with the init and shim pids', async () => {
    const reply = await createShim(['sh', '-c', 'exit 0']);
    expect(reply.pid).toBe(Number(readFileSync(join(box.state, 'init.pid'), 'utf8')));
    expect(processAlive(reply.shimPid)).toBe(true);
    expect(processAlive(reply.pid)).toBe(true);
    // The shim leads its own session and is a subreaper for the container.
    expect(sessionOf(reply.shimPid)).toBe(reply.shimPid);
    const sock = statSync(join(box.state, 'attach.sock'));
    expect(sock.isSocket()).toBe(true);
    expect(sock.mode & 0o777).toBe(0o600);
    expect(box.runcList()).toEqual([box.id]);
    const status = readFileSync(`/proc/${reply.shimPid}/status`, 'utf8');
    expect(status).toMatch(/^VmRSS:/m);
  });

  it('runs the container on START: output frames, exit frame, exit.json, log records, clean-up', async () => {
    const reply = await createShim(['sh', '-c', 'echo out; echo err >&2; exit 3']);
    const conn = await AttachConn.open(join(box.state, 'attach.sock'));
    conn.send(FRAME.START);
    const ok = await conn.reply(0);
    expect(ok.type).toBe(FRAME.OK);
    expect(JSON.parse(ok.payload.toString())).toEqual({ started: true });

    const exit = await conn.waitFrame((f) => f.type === FRAME.EXIT, 'exit frame');
    const record = JSON.parse(exit.payload.toString());
    expect(record.exitCode).toBe(3);
    expect(record.signal).toBe(0);
    expect(record.exitedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
    expect(conn.stream(FRAME.STDOUT)).toBe('out\n');
    expect(conn.stream(FRAME.STDERR)).toBe('err\n');
    // Output frames all come before the exit frame.
    expect(conn.frames.indexOf(exit)).toBe(conn.frames.length - 1);

    // exit.json is the exit frame's text.
    expect(readFileSync(join(box.state, 'exit.json'), 'utf8')).toBe(exit.payload.toString());
    expect(existsSync(join(box.state, 'exit.json.tmp'))).toBe(false);

    // The log decodes to the same bytes, with increasing timestamps.
    const records = decodeLog(readFileSync(join(box.state, 'container.log')));
    const text = (s: number) => Buffer.concat(records.filter((r) => r.stream === s).map((r) => r.data)).toString();
    expect(text(1)).toBe('out\n');
    expect(text(2)).toBe('err\n');
    for (let i = 1; i < records.length; i++) expect(records[i].ts > records[i - 1].ts).toBe(true);
    const now = BigInt(Date.now()) * 1_000_000n;
    expect(records[0].ts > now - 600_000_000_000n && records[0].ts <= now).toBe(true);

    // The shim closes the connection, deletes the container and exits.
    await conn.waitClosed();
    await eventually(() => !processAlive(reply.shimPid), 'the shim to exit');
    expect(box.runcList()).toEqual([]);
    expect(existsSync(join(box.state, 'attach.sock'))).toBe(false);
  });

  it('writes the log to --log-file when given', async () => {
    box = new Sandbox();
    box.makeBundle(['sh', '-c', 'printf abc']);
    const logFile = join(box.dir, 'custom.log');
    const { json } = await box.runShim(['--log-file', logFile]);
    expect(json.ok).toBe(true);
    const conn = await AttachConn.open(join(box.state, 'attach.sock'));
    conn.send(FRAME.START);
    await conn.waitFrame((f) => f.type === FRAME.EXIT, 'exit frame');
    await conn.waitClosed();
    const records = decodeLog(readFileSync(logFile));
    expect(Buffer.concat(records.map((r) => r.data)).toString()).toBe('abc');
    expect(records.every((r) => r.stream === 1)).toBe(true);
    expect(existsSync(join(box.state, 'container.log'))).toBe(false);
  });

  it('survives its invoker and the invoker process group being killed', async () => {
    box = new Sandbox();
    box.makeBundle(['sh', '-c', 'echo alive']);
    const reply = await box.runShim();
    expect(reply.json.ok).toBe(true);
    const shimPid = reply.json.shimPid!;
    // The invoker's stdout/stderr closed (runShim waited for that) although the shim lives on.
    expect(processAlive(reply.invokerPid)).toBe(false);
    // Kill whatever is left of the invoker's process group: the shim is not in it.
    try {
      process.kill(-reply.invokerPid, 'SIGKILL');
    } catch (e) {
      expect((e as NodeJS.ErrnoException).code).toBe('ESRCH');
    }
    expect(processAlive(shimPid)).toBe(true);
    expect(sessionOf(shimPid)).toBe(shimPid);
    expect(sessionOf(shimPid)).not.toBe(sessionOf(process.pid));

    const conn = await AttachConn.open(join(box.state, 'attach.sock'));
    conn.send(FRAME.START);
    const exit = await conn.waitFrame((f) => f.type === FRAME.EXIT, 'exit frame');
    expect(JSON.parse(exit.payload.toString()).exitCode).toBe(0);
    expect(conn.stream(FRAME.STDOUT)).toBe('alive\n');
    await eventually(() => !processAlive(shimPid), 'the shim to exit');
  });

  it('reports a failing create with the runtime message', async () => {
    box = new Sandbox();
    box.makeBundle(['nope']);
    const reply = await box.runShim();
    expect(reply.code).toBe(1);
    expect(reply.json.ok).toBe(false);
    expect(reply.json.error).toMatch(/nope/);
    expect(reply.json.error).toMatch(/executable file not found/);
    // The state dir is left for inspection: the runtime log is there.
    expect(readFileSync(join(box.state, 'runtime.log'), 'utf8')).toMatch(/"level":"error"/);
    expect(existsSync(join(box.state, 'attach.sock'))).toBe(false);
  });

  it('rejects bad arguments with exit code 2 and a JSON error', async () => {
    box = new Sandbox();
    const missing = await box.runShim([], ['--bundle', box.dir, '--state-dir', box.state, '--runtime', '/usr/sbin/runc']);
    expect(missing.code).toBe(2);
    expect(missing.json).toEqual({ ok: false, error: '--id is required' });
    const unknown = await box.runShim([], ['--id', 'x', '--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.json.ok).toBe(false);
    expect(unknown.json.error).toMatch(/frobnicate/);
    const noBundle = await box.runShim([], ['--id', 'x', '--bundle', join(box.dir, 'absent'), '--state-dir', box.state, '--runtime', '/usr/sbin/runc']);
    expect(noBundle.code).toBe(2);
    expect(noBundle.json.error).toMatch(/--bundle .*absent: No such file or directory/);
  });

  it('KILL 9 ends the container with exit code 137', async () => {
    const reply = await createShim(['sh', '-c', 'echo ready; exec sleep 1000']);
    const conn = await AttachConn.open(join(box.state, 'attach.sock'));
    conn.send(FRAME.START);
    expect((await conn.reply(0)).type).toBe(FRAME.OK);
    await conn.waitFrame((f) => f.type === FRAME.STDOUT && f.payload.toString().includes('ready'), 'ready');
    // The container holds nothing of the shim's but its stdio: /dev/null and the two output pipes.
    expect(readdirSync(`/proc/${reply.pid}/fd`).sort()).toEqual(['0', '1', '2']);
    expect(readlinkSync(`/proc/${reply.pid}/fd/0`)).toBe('/dev/null');
    expect(readlinkSync(`/proc/${reply.pid}/fd/1`)).toMatch(/^pipe:/);
    expect(readlinkSync(`/proc/${reply.pid}/fd/2`)).toMatch(/^pipe:/);
    conn.send(FRAME.KILL, '9');
    const killed = await conn.reply(1);
    expect(killed.type).toBe(FRAME.OK);
    expect(JSON.parse(killed.payload.toString())).toEqual({ killed: true, signal: 9 });
    const exit = await conn.waitFrame((f) => f.type === FRAME.EXIT, 'exit frame');
    expect(JSON.parse(exit.payload.toString())).toMatchObject({ exitCode: 137, signal: 9 });
    expect(JSON.parse(readFileSync(join(box.state, 'exit.json'), 'utf8'))).toMatchObject({ exitCode: 137, signal: 9 });
    await eventually(() => !processAlive(reply.shimPid), 'the shim to exit');
    expect(box.runcList()).toEqual([]);
  });

  it('forwards SIGTERM sent to the shim to the container', async () => {
    const reply = await createShim(['sh', '-c', 'trap "echo got-term; exit 42" TERM; echo ready; while :; do sleep 1; done']);
    const conn = await AttachConn.open(join(box.state, 'attach.sock'));
    conn.send(FRAME.START);
    await conn.waitFrame((f) => f.type === FRAME.STDOUT && f.payload.toString().includes('ready'), 'ready');
    process.kill(reply.shimPid, 'SIGTERM');
    const exit = await conn.waitFrame((f) => f.type === FRAME.EXIT, 'exit frame');
    expect(JSON.parse(exit.payload.toString())).toMatchObject({ exitCode: 42, signal: 0 });
    expect(conn.stream(FRAME.STDOUT)).toBe('ready\ngot-term\n');
  });
});
