// Runs the bundled CLI (dist/cli/berth.cjs) as a subprocess, optionally
// feeding its stdin, and collects exit code, stdout and stderr.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const bundledBerth = join(repoRoot, 'dist/cli/berth.cjs');

export interface Outcome { code: number | null; stdout: string; stderr: string }

/** `stdin`: a string to pipe in (then EOF), or undefined for no stdin at all. */
export function runBundled(args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundledBerth, ...args], {
      env: { PATH: process.env.PATH ?? '', ...opts.env },
      stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d; });
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    if (opts.stdin !== undefined) child.stdin!.end(opts.stdin);
  });
}
