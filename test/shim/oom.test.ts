// OOM kills: exit.json and the exit frame say "oomKilled": true when the
// kernel's OOM killer ended the container (memory limit from config.json).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AttachConn, FRAME, Sandbox } from './helpers.js';

let box: Sandbox;

afterEach(async () => {
  await box?.cleanup();
});

function limitMemory(bytes: number): void {
  box.editConfig((c) => {
    c.linux.resources = { ...(c.linux.resources ?? {}), memory: { limit: bytes } };
  });
}

describe('berth-shim OOM detection', () => {
  it('reports oomKilled for a container that runs out of memory', async () => {
    box = new Sandbox();
    box.makeBundle(['sh', '-c', 'echo allocating; tail /dev/zero']);
    limitMemory(8 * 1024 * 1024);
    const { exit, conn } = await box.runToExit();
    expect(exit).toMatchObject({ exitCode: 137, signal: 9, oomKilled: true });
    expect(conn.stream(FRAME.STDOUT)).toBe('allocating\n');
    expect(JSON.parse(readFileSync(join(box.state, 'exit.json'), 'utf8')).oomKilled).toBe(true);
  });

  it('reports oomKilled false for a plain SIGKILL and a normal exit under the same limit', async () => {
    box = new Sandbox();
    box.makeBundle(['sleep', '1000']);
    limitMemory(8 * 1024 * 1024);
    const reply = await box.runShim();
    expect(reply.json.ok).toBe(true);
    const c = await AttachConn.open(join(box.state, 'attach.sock'));
    c.send(FRAME.START);
    expect((await c.reply(0)).type).toBe(FRAME.OK);
    c.send(FRAME.KILL, '9');
    const exit = await c.waitFrame((f) => f.type === FRAME.EXIT, 'exit frame');
    expect(JSON.parse(exit.payload.toString())).toMatchObject({ exitCode: 137, signal: 9, oomKilled: false });
    await c.waitClosed();

    await box.cleanup();
    box = new Sandbox();
    box.makeBundle(['sh', '-c', 'exit 0']);
    limitMemory(8 * 1024 * 1024);
    const ok = await box.runToExit();
    expect(ok.exit).toMatchObject({ exitCode: 0, signal: 0, oomKilled: false });
  });
});
