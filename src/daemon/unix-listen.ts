// Binds an HTTP server to a unix socket that only root (and an optional
// group) can use: created with no permissions for others from the first
// moment, then mode 0660 and the group set.
import type { Server } from 'node:http';
import { chmod, chown, mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { connect } from 'node:net';
import { BerthError } from '../errors.js';

export async function listenUnix(server: Server, socketPath: string, gid: number | null): Promise<void> {
  await mkdir(dirname(socketPath), { recursive: true, mode: 0o711 });
  await ensureSocketFree(socketPath);
  await rm(socketPath, { force: true });
  const oldMask = process.umask(0o117);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // a burst of clients connecting at once waits in the backlog instead of being refused
      server.listen({ path: socketPath, backlog: 4096 }, () => resolve());
    });
  } finally {
    process.umask(oldMask);
  }
  await chmod(socketPath, 0o660);
  if (gid !== null) await chown(socketPath, 0, gid);
}

/** Refuses to go on when a daemon already answers on `path`. */
export async function ensureSocketFree(path: string): Promise<void> {
  if (await socketInUse(path)) {
    throw new BerthError('conflict', `another daemon is already listening on ${path}; stop it or choose another --socket`);
  }
}

async function socketInUse(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

