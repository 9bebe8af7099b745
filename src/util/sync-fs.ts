// syncfs(2) of a whole filesystem, with group commit:
// callers that arrive while a flush is running wait for the next one, and
// every caller queued before a flush starts is served by that one flush. A
// pull whose layers finish together then pays for about one flush, not one
// per layer, while each layer is still durable before its record is written.
// The flush runs on the native addon's own thread (which also groups the
// flushes of the daemon's other threads); until the addon is built (with
// syncfs), coreutils `sync -f` does it (a process spawn per flush).
import { execFile } from 'node:child_process';
import { BerthError } from '../errors.js';
import { addonHas, syncfs } from '../native/addon.js';

let haveAddon: boolean | undefined;

function spawnSync(dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('sync', ['-f', dir], (err) => (err ? reject(err) : resolve()));
  });
}

async function runSync(dir: string): Promise<void> {
  haveAddon ??= addonHas('syncfs');
  try {
    await (haveAddon ? syncfs(dir) : spawnSync(dir));
  } catch (err) {
    throw new BerthError('io_error', `cannot sync the filesystem of ${dir}: ${(err as Error).message}`, { cause: err });
  }
}

interface Group { running: Promise<void> | null; next: Promise<void> | null }

const groups = new Map<string, Group>();

/**
 * Resolves once a flush of the filesystem holding `dir` has started after
 * this call and completed. `dir` names the group: callers using the same
 * directory share flushes.
 */
export function syncFilesystem(dir: string): Promise<void> {
  let g = groups.get(dir);
  if (!g) {
    g = { running: null, next: null };
    groups.set(dir, g);
  }
  const group = g;
  if (group.next) return group.next; // a flush that has not started yet covers this caller
  const start = (): Promise<void> => {
    group.next = null;
    const p = runSync(dir).finally(() => {
      if (group.running === p) group.running = null;
      if (!group.running && !group.next) groups.delete(dir);
    });
    group.running = p;
    return p;
  };
  if (!group.running) return start();
  group.next = group.running.then(start, start);
  return group.next;
}
