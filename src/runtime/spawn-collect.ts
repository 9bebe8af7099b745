// Runs a program to completion and collects its stdout and stderr as text.
// Uses the addon's posix_spawn (no fork of the daemon's page tables: a fork of
// a Node process of 100+ MB costs tens of milliseconds on a loaded host) and
// falls back to child_process.spawn when the addon lacks it.
import { spawn as nodeSpawn } from 'node:child_process';
import { Socket } from 'node:net';
import { constants } from 'node:os';
import { addonHas, reap, spawn as nativeSpawn, type NativeError } from '../native/addon.js';

export interface Collected {
  code: number | null;
  signal: number | null;
  stdout: string;
  stderr: string;
}

/** Thrown when the program cannot be started; message as Node's: "spawn /path ENOENT". */
export class SpawnError extends Error {
  constructor(readonly path: string, readonly code: string) {
    super(`spawn ${path} ${code}`);
  }
}

function readAll(fd: number): Promise<string> {
  return new Promise((resolve) => {
    const s = new Socket({ fd, readable: true, writable: false });
    let text = '';
    s.setEncoding('utf8');
    s.on('data', (d: string) => (text += d));
    s.on('error', () => s.destroy());
    s.on('close', () => resolve(text));
  });
}

/** Reaps `pid`, retrying on a short timer: the pipes close a moment before the child becomes a zombie. */
function reaped(pid: number): Promise<{ code: number | null; signal: number | null }> {
  return new Promise((resolve, reject) => {
    let delay = 1;
    const attempt = (): void => {
      try {
        const exit = reap(pid);
        if (exit) return resolve(exit);
      } catch (e) {
        // Reaped by someone else (a waitpid(-1) elsewhere in the process): the status is lost, not the output.
        if ((e as NativeError).code === 'ECHILD') return resolve({ code: null, signal: null });
        return reject(e);
      }
      setTimeout(attempt, delay);
      delay = Math.min(delay * 2, 50);
    };
    attempt();
  });
}

async function collectNative(path: string, args: string[]): Promise<Collected> {
  let child;
  try {
    child = nativeSpawn(path, args);
  } catch (e) {
    throw new SpawnError(path, (e as NativeError).code ?? 'EFAULT');
  }
  const [stdout, stderr] = await Promise.all([readAll(child.stdoutFd), readAll(child.stderrFd)]);
  return { ...(await reaped(child.pid)), stdout, stderr };
}

function collectForked(path: string, args: string[]): Promise<Collected> {
  return new Promise((resolve, reject) => {
    const child = nodeSpawn(path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e: NodeJS.ErrnoException) => reject(new SpawnError(path, e.code ?? 'EFAULT')));
    child.on('close', (code, signal) => resolve({ code, signal: signal ? constants.signals[signal] : null, stdout, stderr }));
  });
}

/** Runs `path args` with stdin from /dev/null; resolves when it has exited and both pipes are closed. */
export function spawnCollect(path: string, args: string[], opts: { fork?: boolean } = {}): Promise<Collected> {
  return !opts.fork && addonHas('spawn') ? collectNative(path, args) : collectForked(path, args);
}
