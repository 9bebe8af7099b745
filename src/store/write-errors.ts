// What a failed metadata write means to a user. LMDB reports a commit that
// could not be written (the disk is full, the map cannot grow) as a generic
// "Commit failed"; the journal's callers turn it into this.
import { BerthError } from '../errors.js';

export function metadataWriteError(err: unknown, root: string): BerthError {
  if (err instanceof BerthError) return err;
  const message = (err as Error)?.message ?? String(err);
  return new BerthError(
    'io_error',
    `the daemon could not write its metadata under ${root} (${message}); the disk may be full: free space there and retry`,
    { cause: err },
  );
}
