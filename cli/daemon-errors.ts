// Remembers which errors came from the daemon's err frames, so they can be
// printed as "Error response from daemon: …". Kept apart from client.ts so
// reporting an error never loads the websocket code.

const fromDaemon = new WeakSet<Error>();

export function markDaemonError<E extends Error>(err: E): E {
  fromDaemon.add(err);
  return err;
}

/** True when the error was sent by the daemon in an err frame (as opposed to failing to reach it). */
export function isDaemonError(err: unknown): boolean {
  return err instanceof Error && fromDaemon.has(err);
}
