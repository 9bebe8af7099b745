// Runs one runtime command (runc's command line: pause, resume, update,
// delete, ...) for the daemon, outside the shim. Started with posix_spawn
// (spawnCollect): forking the daemon for each call would copy its page tables.
import { runtimeError } from './runtime-errors.js';
import { SpawnError, spawnCollect } from './spawn-collect.js';

export interface RuntimeTarget { runtimePath: string; runtimeRoot: string }

export async function runRuntime(t: RuntimeTarget, args: string[]): Promise<string> {
  let done;
  try {
    done = await spawnCollect(t.runtimePath, ['--root', t.runtimeRoot, ...args]);
  } catch (e) {
    const why = e instanceof SpawnError ? e.code : (e as Error).message;
    throw runtimeError(`cannot run ${t.runtimePath}: ${why}`);
  }
  if (done.code === 0) return done.stdout;
  const how = done.code !== null ? `exited with ${done.code}` : `was killed by signal ${done.signal ?? '?'}`;
  throw runtimeError(done.stderr.trim() || `${t.runtimePath} ${args[0]} ${how}`);
}
