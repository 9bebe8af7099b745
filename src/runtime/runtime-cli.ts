// Runs one runtime command (runc's command line: pause, resume, ps, update,
// kill, ...) for the daemon, outside the shim.
import { spawn } from 'node:child_process';
import { runtimeError } from './runtime-errors.js';

export interface RuntimeTarget { runtimePath: string; runtimeRoot: string }

export function runRuntime(t: RuntimeTarget, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(t.runtimePath, ['--root', t.runtimeRoot, ...args], { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', (e) => reject(runtimeError(`cannot run ${t.runtimePath}: ${e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(runtimeError(err.trim() || `${t.runtimePath} ${args[0]} exited with ${code}`));
    });
    // A runtime that exits without reading its input must not crash the actor host (EPIPE).
    child.stdin?.on('error', () => {});
    child.stdin?.end(input);
  });
}
