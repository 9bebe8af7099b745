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
