// process.terminal: a pty from the container's devpts sent over
// --console-socket (SCM_RIGHTS, name as payload), consoleSize, and run in the
// foreground proxying the pty to its own stdio.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox, leftovers } from './bundle.js';

let sb: Sandbox;
let recvtty: string;
beforeAll(() => {
  sb = new Sandbox();
  recvtty = join(sb.dir, 'recvtty');
  const src = fileURLToPath(new URL('./helpers/recvtty.c', import.meta.url));
  const cc = spawnSync('gcc', ['-O1', '-o', recvtty, src], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`building recvtty: ${cc.stderr}`);
});
afterEach(async () => { await sb.cleanup(); });
afterAll(() => sb.destroy());

/** Starts recvtty on a fresh socket; resolves once it listens. */
async function consoleServer(name: string, input?: string) {
  const sock = join(sb.dir, `${name}.sock`);
  const child = spawn(recvtty, input ? [sock, input] : [sock], { stdio: ['ignore', 'pipe', 'pipe'] });
  sb.children.push(child);
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  await new Promise<void>((resolve, reject) => {
    child.stdout.once('data', () => resolve());
    child.once('exit', () => reject(new Error(`recvtty exited: ${out}`)));
  });
  const done = new Promise<string>((resolve) => child.on('exit', () => resolve(out)));
  return { sock, done };
}

describe('berth-runtime terminal', () => {
  it('sends the pty master over --console-socket and makes the slave the controlling terminal', async () => {
    const id = 'tty-sock';
    sb.ids.add(id);
    const { sock, done } = await consoleServer(id, 'typed-line\n');
    const bundle = sb.bundle(id, ['sh', '-c', 'tty; stty size; read l; echo "got:$l"; ps -o pid,tty,comm | grep -c pts/0; stat -c "console:%F %t,%T" /dev/console; stty size < /dev/console; exit 4'], (c) => {
      c.process.terminal = true;
      c.process.consoleSize = { height: 33, width: 101 };
    });
    const c = sb.rt(['create', '--bundle', bundle, '--console-socket', sock, id]);
    expect(c.code, c.err).toBe(0);
    expect(sb.rt(['start', id]).code).toBe(0);
    const out = (await done).replace(/\r/g, '');
    expect(out).toMatch(/^name=\/dev\/pts\/0$/m);
    expect(out).toMatch(/^size=33x101$/m);
    expect(out).toMatch(/^\/dev\/pts\/0$/m);
    expect(out).toMatch(/^33 101$/m);
    expect(out).toMatch(/^got:typed-line$/m);
    expect(out).toMatch(/^console:character special file 88,0$/m); // /dev/console is the pty (major 136 = 0x88)
    expect(out.match(/^33 101$/gm)).toHaveLength(2);
    expect(sb.state(id).status).toBe('stopped');
    expect(sb.rt(['delete', id]).code).toBe(0);
    expect(leftovers(sb, id)).toEqual([]);
  });

  it('run in the foreground with a terminal proxies the pty to its stdio', () => {
    const r = sb.run('tty-fg', ['sh', '-c', 'tty; test -t 0 && test -t 1 && echo is-a-tty; exit 5'], (c) => {
      c.process.terminal = true;
    });
    expect(r.code, r.err).toBe(5);
    expect(r.out.replace(/\r/g, '')).toBe('/dev/pts/0\nis-a-tty\n');
    expect(leftovers(sb, 'tty-fg')).toEqual([]);
  });

  it('refuses --console-socket without a terminal, and a terminal on create without a socket', () => {
    const id = 'tty-bad';
    sb.ids.add(id);
    let r = sb.rt(['create', '--bundle', sb.bundle(id, ['true']), '--console-socket', '/nonexistent.sock', id]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/--console-socket was given but process\.terminal is false/);
    r = sb.rt(['create', '--bundle', sb.bundle(id, ['true'], (c) => { c.process.terminal = true; }), '--console-socket', '/nonexistent.sock', id]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/connecting to --console-socket \/nonexistent\.sock/);
    expect(leftovers(sb, id)).toEqual([]);
  });
});
