// One daemon per root: ROOT/berthd.pid is created exclusively; a file left by
// a daemon that is no longer running is taken over.
import { openSync, writeSync, closeSync, readFileSync, unlinkSync, fsyncSync } from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../errors.js';

/** A live process that is a berthd (a reused pid of a dead daemon does not count). */
function daemonAlive(pid: number): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('berthd') || cmdline.includes('daemon/main');
  } catch {
    return false;
  }
}

export function lockRoot(root: string): () => void {
  const path = join(root, 'berthd.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o644);
      writeSync(fd, `${process.pid}\n`);
      fsyncSync(fd);
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
        } catch {
          /* already gone */
        }
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const pid = Number(readFileSync(path, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && daemonAlive(pid)) {
        throw new BerthError('conflict', `another daemon (pid ${pid}) is using ${root}; stop it or choose another --root`);
      }
      unlinkSync(path);
    }
  }
  throw new BerthError('conflict', `cannot lock ${root}`);
}
