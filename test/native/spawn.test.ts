// The addon's posix_spawn and reap, and spawn-collect.ts on top of them: real children, real /proc.
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { Socket } from 'node:net';
import { constants as os } from 'node:os';
import { describe, expect, it } from 'vitest';
import { reap, spawn, type ChildExit, type NativeError } from '../../src/native/addon.js';
import { spawnCollect } from '../../src/runtime/spawn-collect.js';

function readAll(fd: number): Promise<string> {
  return new Promise((resolve) => {
    const s = new Socket({ fd, readable: true, writable: false });
    let text = '';
    s.setEncoding('utf8').on('data', (d: string) => (text += d));
    s.on('close', () => resolve(text));
  });
}

async function waitExit(pid: number): Promise<ChildExit> {
  for (;;) {
    const exit = reap(pid);
    if (exit) return exit;
    await new Promise((r) => setTimeout(r, 2));
  }
}

function statusField(pid: number | 'self', name: string): string {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  return (line ?? '').split(':')[1].trim();
}

/** Starts `sleep 30` and waits until it sleeps (past its start-up, which opens locale files of its own). */
async function sleeper(): Promise<{ pid: number; stdoutFd: number; stderrFd: number }> {
  const child = spawn('sleep', ['30']);
  while (!readFileSync(`/proc/${child.pid}/wchan`, 'utf8').includes('nanosleep')) await new Promise((r) => setTimeout(r, 2));
  return child;
}

async function killAndReap(child: { pid: number; stdoutFd: number; stderrFd: number }): Promise<ChildExit> {
  process.kill(child.pid, 'SIGKILL');
  const [exit] = await Promise.all([waitExit(child.pid), readAll(child.stdoutFd), readAll(child.stderrFd)]);
  return exit;
}

describe('addon spawn and reap', () => {
  it('pipes stdout and stderr apart and reports the exit code', async () => {
    const c = spawn('/bin/sh', ['-c', 'echo to-out; echo to-err >&2; read x || echo stdin-empty; exit 3']);
    const [out, err] = await Promise.all([readAll(c.stdoutFd), readAll(c.stderrFd)]);
    expect(out).toBe('to-out\nstdin-empty\n');
    expect(err).toBe('to-err\n');
    expect(await waitExit(c.pid)).toEqual({ code: 3, signal: null });
    expect(existsSync(`/proc/${c.pid}`)).toBe(false); // reaped: no zombie left
  });

  it('reports the signal that killed the child, and null while it runs', async () => {
    const c = await sleeper();
    expect(reap(c.pid)).toBeNull();
    expect(await killAndReap(c)).toEqual({ code: null, signal: os.signals.SIGKILL });
    expect(existsSync(`/proc/${c.pid}`)).toBe(false);
  });

  it('throws ENOENT for a missing program and EACCES for a directory', () => {
    const missing = (() => { try { spawn('/nonexistent/berth-shim', []); } catch (e) { return e as NativeError; } })();
    expect(missing).toMatchObject({ code: 'ENOENT', syscall: 'spawn', path: '/nonexistent/berth-shim' });
    const denied = (() => { try { spawn('/tmp', []); } catch (e) { return e as NativeError; } })();
    expect(denied).toMatchObject({ code: 'EACCES', syscall: 'spawn' });
    expect(() => reap(-1)).toThrow(/positive process id/);
    expect(() => spawn('/bin/true', ['a', 1 as unknown as string])).toThrow(TypeError);
  });

  it('inherits the environment by default and replaces it when given', async () => {
    const given = spawn('/usr/bin/env', [], ['BERTH_A=1', 'BERTH_B=two words']);
    expect(await readAll(given.stdoutFd)).toBe('BERTH_A=1\nBERTH_B=two words\n');
    await readAll(given.stderrFd);
    expect((await waitExit(given.pid)).code).toBe(0);
    process.env.BERTH_SPAWN_TEST = 'inherited';
    const inherited = spawn('/usr/bin/env', []);
    expect(await readAll(inherited.stdoutFd)).toContain('BERTH_SPAWN_TEST=inherited\n');
    await readAll(inherited.stderrFd);
    expect((await waitExit(inherited.pid)).code).toBe(0);
  });

  it('gives the child only /dev/null and its two pipes, and keeps the parent ends close-on-exec', async () => {
    const c = await sleeper();
    try {
      expect(readdirSync(`/proc/${c.pid}/fd`).sort()).toEqual(['0', '1', '2']);
      expect(readlinkSync(`/proc/${c.pid}/fd/0`)).toBe('/dev/null');
      expect(readlinkSync(`/proc/${c.pid}/fd/1`)).toBe(readlinkSync(`/proc/self/fd/${c.stdoutFd}`));
      expect(readlinkSync(`/proc/${c.pid}/fd/2`)).toBe(readlinkSync(`/proc/self/fd/${c.stderrFd}`));
      expect(readlinkSync(`/proc/${c.pid}/fd/1`)).toMatch(/^pipe:/);
      for (const fd of [c.stdoutFd, c.stderrFd]) {
        const flags = readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8').match(/flags:\s+([0-7]+)/)![1];
        expect(parseInt(flags, 8) & 0o2000000).not.toBe(0); // O_CLOEXEC
      }
    } finally {
      await killAndReap(c);
    }
  });

  it('starts the child with no blocked and no ignored signal, although Node ignores SIGPIPE', async () => {
    expect(BigInt(`0x${statusField('self', 'SigIgn')}`) & (1n << BigInt(os.signals.SIGPIPE - 1))).not.toBe(0n);
    const c = await sleeper();
    try {
      expect(statusField(c.pid, 'SigBlk')).toMatch(/^0+$/);
      expect(statusField(c.pid, 'SigIgn')).toMatch(/^0+$/);
    } finally {
      await killAndReap(c);
    }
  });
});

/** This process's children that are zombies (exited, not reaped). */
function zombieChildren(): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === process.pid && state === 'Z') out.push(Number(name));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

describe('spawnCollect', () => {
  it('leaves no zombie behind, however the children end', async () => {
    await Promise.all([
      spawnCollect('/bin/true', []),
      spawnCollect('/bin/sh', ['-c', 'exit 9']),
      spawnCollect('/bin/sh', ['-c', 'kill -KILL $$']),
      spawnCollect('/bin/sh', ['-c', 'sleep 0.2 & exit 0']), // pipes stay open after the exit, held by the grandchild
    ]);
    expect(zombieChildren()).toEqual([]);
  });


  for (const fork of [false, true]) {
    const how = fork ? 'child_process fallback' : 'posix_spawn';
    it(`collects output and exit status the same way (${how})`, async () => {
      expect(await spawnCollect('/bin/sh', ['-c', 'printf "a\\nb"; printf e >&2; exit 4'], { fork })).toEqual({
        code: 4, signal: null, stdout: 'a\nb', stderr: 'e',
      });
      expect(await spawnCollect('/bin/sh', ['-c', 'kill -TERM $$'], { fork })).toMatchObject({ code: null, signal: os.signals.SIGTERM });
    });

    it(`rejects a missing program with Node's message (${how})`, async () => {
      await expect(spawnCollect('/nonexistent/berth-shim', [], { fork })).rejects.toThrow(/^spawn \/nonexistent\/berth-shim ENOENT$/);
    });
  }
});
