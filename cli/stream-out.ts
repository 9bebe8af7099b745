// Where a byte stream from the daemon (save, export) goes: a file given with
// -o (written to a temporary name, fsynced, renamed into place on success),
// or stdout — never a terminal.
import { once } from 'node:events';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { BerthError } from '../src/errors.js';
import type { StreamEvent } from '../src/protocol/frames.js';

export interface StreamSink {
  onEvent(ev: StreamEvent): void | Promise<void>;
  /** Makes the output final (renames the file into place). */
  commit(): Promise<void>;
  /** Drops a partial output file. */
  abort(): Promise<void>;
}

/** Refuses a terminal before anything is asked of the daemon. */
export function checkStdoutTarget(file: string | undefined, what: string): void {
  if (file === undefined && process.stdout.isTTY) {
    throw new BerthError('invalid_argument', `cowardly refusing to write ${what} to a terminal. Use the -o flag or redirect stdout to a file`);
  }
}

export async function openSink(file: string | undefined): Promise<StreamSink> {
  if (file === undefined) {
    return {
      onEvent: (ev) => {
        if (ev.kind !== 'data') return;
        if (!process.stdout.write(ev.data)) return once(process.stdout, 'drain').then(() => undefined);
      },
      commit: async () => {},
      abort: async () => {},
    };
  }
  const tmp = join(dirname(file), `.${basename(file)}.berth-${process.pid}`);
  let fh: FileHandle;
  try {
    fh = await open(tmp, 'w', 0o644);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'the directory does not exist' : e.code === 'EACCES' ? 'permission denied' : e.message;
    throw new BerthError('invalid_argument', `cannot write ${file}: ${why}`);
  }
  let closed = false;
  const close = async () => {
    if (!closed) {
      closed = true;
      await fh.close();
    }
  };
  return {
    onEvent: async (ev) => {
      if (ev.kind === 'data') await fh.write(ev.data);
    },
    commit: async () => {
      await fh.sync();
      await close();
      await rename(tmp, file);
    },
    abort: async () => {
      await close().catch(() => {});
      await rm(tmp, { force: true });
    },
  };
}
