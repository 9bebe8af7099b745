// `berth-shim exec`: a process started in a running container with
// `runtime exec -d`, supervised by its own shim with the same protocol.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AttachConn, FRAME, RUNC, Sandbox, eventually, processAlive } from './helpers.js';
import { execFileSync } from 'node:child_process';

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

/** A running `sleep` container, supervised by its shim. */
async function runningContainer(): Promise<{ initPid: number; shimPid: number }> {
  box = new Sandbox();
  box.makeBundle(['sleep', '1000']);
  const reply = await box.runShim();
  expect(reply.json.ok).toBe(true);
  const c = await open(join(box.state, 'attach.sock'));
  c.send(FRAME.START);
  expect((await c.reply(0)).type).toBe(FRAME.OK);
  c.close();
  return { initPid: reply.json.pid!, shimPid: reply.json.shimPid! };
}

function runcState(): string {
  return JSON.parse(execFileSync(RUNC, ['--root', box.runcRoot, 'state', box.id], { encoding: 'utf8' })).status;
}

describe('berth-shim exec', () => {
  it('runs a process in the container with stdin, reaps it and writes exit.json; the container lives on', async () => {
    const container = await runningContainer();
    const proc = box.writeProcess('p1', ['sh', '-c', 'echo $$; cat; echo after-cat >&2; exit 4']);
    const reply = await box.runExec('e1', proc, ['--stdin']);
    expect(reply.json, reply.stdout).toMatchObject({ ok: true });
    const state = join(box.dir, 'exec-e1');
    expect(Number(readFileSync(join(state, 'exec.pid'), 'utf8'))).toBe(reply.json.pid);
    expect(Number(readFileSync(join(state, 'shim.pid'), 'utf8'))).toBe(reply.json.shimPid);
    // The exec'd process is the shim's child now (the shim is its subreaper).
    const stat = readFileSync(`/proc/${reply.json.pid}/stat`, 'utf8');
    expect(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])).toBe(reply.json.shimPid);

    const c = await open(join(state, 'attach.sock'));
    c.send(FRAME.START); // not needed, but harmless
    expect((await c.reply(0)).type).toBe(FRAME.OK);
    c.send(FRAME.STDIN, 'through stdin\n');
    await c.waitUntil(() => c.stream(FRAME.STDOUT).includes('through stdin\n'), 'stdin echoed');
    c.send(FRAME.STDIN_CLOSE);
    expect((await c.reply(1)).type).toBe(FRAME.OK);
    const exit = await c.waitFrame((f) => f.type === FRAME.EXIT, 'exit frame');
    expect(JSON.parse(exit.payload.toString())).toMatchObject({ exitCode: 4, signal: 0, oomKilled: false });
    // $$ inside the container's PID namespace: not the host pid.
    const [inner, echoed] = c.stream(FRAME.STDOUT).split('\n');
    expect(Number(inner)).toBeGreaterThan(1);
    expect(echoed).toBe('through stdin');
    expect(c.stream(FRAME.STDERR)).toBe('after-cat\n');
    expect(readFileSync(join(state, 'exit.json'), 'utf8')).toBe(exit.payload.toString());

    await eventually(() => !processAlive(reply.json.shimPid!), 'the exec shim to exit');
    expect(existsSync(join(state, 'shim.pid'))).toBe(false);
    expect(existsSync(join(state, 'attach.sock'))).toBe(false);
    // No delete: the container and its shim go on.
    expect(runcState()).toBe('running');
    expect(processAlive(container.initPid)).toBe(true);
    expect(processAlive(container.shimPid)).toBe(true);
    // No log for an exec unless asked for.
    expect(existsSync(join(state, 'container.log'))).toBe(false);
  });

  it('keeps output produced before the first client connects', async () => {
    await runningContainer();
    const proc = box.writeProcess('p2', ['sh', '-c', 'echo early; echo early-err >&2; exit 5']);
    const reply = await box.runExec('e2', proc);
    expect(reply.json.ok).toBe(true);
    // The process has ended by now, or will soon; nothing connected yet.
    await eventually(() => !processAlive(reply.json.pid!), 'the process to exit');
    // The exit is on disk at once, while the shim waits for its first client.
    await eventually(() => existsSync(join(box.dir, 'exec-e2', 'exit.json')), 'exit.json');
    expect(processAlive(reply.json.shimPid!)).toBe(true);
    const c = await open(join(box.dir, 'exec-e2', 'attach.sock'));
    const exit = await c.waitFrame((f) => f.type === FRAME.EXIT, 'exit frame');
    expect(JSON.parse(exit.payload.toString()).exitCode).toBe(5);
    expect(c.stream(FRAME.STDOUT)).toBe('early\n');
    expect(c.stream(FRAME.STDERR)).toBe('early-err\n');
    expect(c.frames.at(-1)).toBe(exit);
    await c.waitClosed();
  });

  it('KILL signals the exec process only', async () => {
    const container = await runningContainer();
    const proc = box.writeProcess('p3', ['sleep', '1000']);
    const reply = await box.runExec('e3', proc, ['--log-file', join(box.dir, 'e3.log')]);
    expect(reply.json.ok).toBe(true);
    const c = await open(join(box.dir, 'exec-e3', 'attach.sock'));
    c.send(FRAME.KILL, '9');
    const killed = await c.reply(0);
    expect(JSON.parse(killed.payload.toString())).toEqual({ killed: true, signal: 9 });
    const exit = await c.waitFrame((f) => f.type === FRAME.EXIT, 'exit frame');
    expect(JSON.parse(exit.payload.toString())).toMatchObject({ exitCode: 137, signal: 9, oomKilled: false });
    await eventually(() => !processAlive(reply.json.shimPid!), 'the exec shim to exit');
    expect(runcState()).toBe('running');
    expect(processAlive(container.initPid)).toBe(true);
    expect(existsSync(join(box.dir, 'e3.log'))).toBe(true); // --log-file turns the log on
  });

  it('reports a failing exec with the runtime message', async () => {
    await runningContainer();
    const bad = await box.runExec('e4', box.writeProcess('p4', ['no-such-binary']));
    expect(bad.code).toBe(1);
    expect(bad.json.ok).toBe(false);
    expect(bad.json.error).toMatch(/no-such-binary/);
    expect(existsSync(join(box.dir, 'exec-e4', 'shim.pid'))).toBe(false);
    expect(runcState()).toBe('running');

    const missing = await box.runShim([], ['exec', '--id', box.id, '--state-dir', join(box.dir, 'x'), '--runtime', RUNC, '--process', 'p.json']);
    expect(missing.code).toBe(2);
    expect(missing.json.error).toBe('--exec-id is required');
  });
});
