// Starts a container's shim (native/build/berth-shim), which creates the
// container through the runtime and then lives on its own, detached from the
// daemon. Resolves when the container is created (not yet started). The shim
// is started without forking the daemon (spawn-collect.ts).
import { BerthError } from '../errors.js';
import { runtimeError } from './runtime-errors.js';
import { spawnCollect, type Collected } from './spawn-collect.js';

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

export async function launchShim(l: ShimLaunch): Promise<ShimStarted> {
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
  let done: Collected;
  try {
    done = await spawnCollect(l.shimPath, args);
  } catch (e) {
    throw new BerthError('runtime_error', `cannot start the shim ${l.shimPath}: ${(e as Error).message}; is the native build done (npm run build:native)?`);
  }
  const line = done.stdout.trim().split('\n').pop() ?? '';
  let reply: { ok?: boolean; pid?: number; shimPid?: number; error?: string } | undefined;
  try {
    reply = line ? JSON.parse(line) : undefined;
  } catch {
    reply = undefined;
  }
  if (reply?.ok && typeof reply.pid === 'number') return { pid: reply.pid, shimPid: reply.shimPid ?? 0 };
  if (reply && reply.ok === false) throw runtimeError(reply.error ?? 'the runtime failed to create the container');
  const err = done.stderr;
  throw new BerthError('runtime_error', `the shim exited with code ${done.code} without a reply${err ? `: ${err.trim()}` : ''}`);
}
