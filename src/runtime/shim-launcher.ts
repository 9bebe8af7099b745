// Starts a container's shim (native/build/berth-shim), which creates the
// container through the runtime and then lives on its own, detached from the
// daemon. Resolves when the container is created (not yet started).
import { spawn } from 'node:child_process';
import { BerthError } from '../errors.js';
import { runtimeError } from './runtime-errors.js';

export interface ShimLaunch {
  shimPath: string;
  runtimePath: string;
  runtimeRoot: string;
  id: string;
  bundle: string;
  stateDir: string;
  logFile: string;
  overlay: { lowerDirs: string[]; upper: string; work: string };
  stdin?: boolean;
  terminal?: boolean;
  logDriver?: 'local' | 'json-file' | 'none';
  logOpts?: Record<string, string>;
}

/** Docker's --log-opt max-size (e.g. 10m, 1g) in bytes. */
function sizeBytes(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([kmg]?)b?$/i.exec(s.trim());
  if (!m) throw new BerthError('invalid_argument', `invalid log size "${s}": use a number with an optional k, m or g suffix`);
  return Math.floor(Number(m[1]) * { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g']);
}

function optionalArgs(l: ShimLaunch): string[] {
  const out: string[] = [];
  if (l.stdin) out.push('--stdin');
  if (l.terminal) out.push('--terminal');
  if (l.logDriver && l.logDriver !== 'local') out.push('--log-driver', l.logDriver);
  const maxSize = l.logOpts?.['max-size'];
  if (maxSize) out.push('--log-max-size', String(sizeBytes(maxSize)));
  const maxFile = l.logOpts?.['max-file'];
  if (maxFile) out.push('--log-max-file', maxFile);
  return out;
}

export interface ShimStarted { pid: number; shimPid: number }

export function launchShim(l: ShimLaunch): Promise<ShimStarted> {
  const args = [
    '--id', l.id,
    '--bundle', l.bundle,
    '--state-dir', l.stateDir,
    '--runtime', l.runtimePath,
    '--runtime-root', l.runtimeRoot,
    '--log-file', l.logFile,
    '--rootfs-overlay', `lowerdir=${l.overlay.lowerDirs.join(':')},upperdir=${l.overlay.upper},workdir=${l.overlay.work}`,
    ...optionalArgs(l),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(l.shimPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', (e) =>
      reject(new BerthError('runtime_error', `cannot start the shim ${l.shimPath}: ${e.message}; is the native build done (npm run build:native)?`)),
    );
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      let reply: { ok?: boolean; pid?: number; shimPid?: number; error?: string } | undefined;
      try {
        reply = line ? JSON.parse(line) : undefined;
      } catch {
        reply = undefined;
      }
      if (reply?.ok && typeof reply.pid === 'number') {
        resolve({ pid: reply.pid, shimPid: reply.shimPid ?? 0 });
      } else if (reply && reply.ok === false) {
        reject(runtimeError(reply.error ?? 'the runtime failed to create the container'));
      } else {
        reject(new BerthError('runtime_error', `the shim exited with code ${code} without a reply${err ? `: ${err.trim()}` : ''}`));
      }
    });
  });
}
