// Syscalls Node lacks, used when unpacking layers: mknod (devices, fifos,
// overlay whiteouts) and lsetxattr. They come from the N-API addon
// (src/native/addon.ts), loaded lazily on first use. Until the addon is
// built, mknod falls back to coreutils' mknod(1)/mkfifo(1); lsetxattr has no
// fallback and fails with a message saying how to build the addon.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { BerthError } from '../errors.js';

const execFileP = promisify(execFile);

export const S_IFIFO = 0o010000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;

type AddonApi = Pick<typeof import('../native/addon.js'), 'mknod' | 'lsetxattr' | 'addonPath'>;

let addonPromise: Promise<AddonApi | Error> | undefined;

/** The addon module when its binary is built, else an Error saying why not (loaded once, lazily). */
function loadAddon(): Promise<AddonApi | Error> {
  addonPromise ??= import('../native/addon.js').then(
    (mod): AddonApi | Error => {
      const path = mod.addonPath();
      return existsSync(path) ? mod : new Error(`${path} is not built`);
    },
    (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
  );
  return addonPromise;
}

function errnoCode(err: unknown): string {
  const e = err as { code?: unknown; errno?: unknown };
  return typeof e?.code === 'string' ? e.code : '';
}

/** Creates a device node or fifo. `mode` holds the type (S_IFCHR/S_IFBLK/S_IFIFO) and permission bits. */
export async function mknod(path: string, mode: number, major: number, minor: number): Promise<void> {
  const addon = await loadAddon();
  if (!(addon instanceof Error)) {
    try {
      addon.mknod(path, mode, major, minor);
      return;
    } catch (err) {
      throw new BerthError('io_error', `mknod ${path} failed: ${(err as Error).message}${errnoCode(err) === 'EPERM' ? ' (creating devices needs root)' : ''}`, { cause: err });
    }
  }
  const type = mode & 0o170000;
  const perm = (mode & 0o7777).toString(8);
  const args = type === S_IFIFO ? ['mkfifo', ['-m', perm, path]] as const
    : type === S_IFCHR ? ['mknod', ['-m', perm, path, 'c', String(major), String(minor)]] as const
    : type === S_IFBLK ? ['mknod', ['-m', perm, path, 'b', String(major), String(minor)]] as const
    : undefined;
  if (!args) throw new BerthError('internal', `mknod ${path}: mode ${mode.toString(8)} is not a fifo, character or block device`);
  try {
    await execFileP(args[0], [...args[1]]);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new BerthError('io_error', `${args[0]} ${path} failed: ${(e.stderr || e.message).trim()}`, { cause: err });
  }
}

/** Sets an extended attribute on `path` without following a symlink. */
export async function lsetxattr(path: string, name: string, value: Buffer): Promise<void> {
  const addon = await loadAddon();
  if (addon instanceof Error) {
    throw new BerthError(
      'internal',
      `cannot set extended attribute ${name} on ${path}: the native addon is not available (${addon.message}); build it with "npm run build:native"`,
    );
  }
  try {
    addon.lsetxattr(path, name, value);
  } catch (err) {
    const code = errnoCode(err);
    const hint = code === 'ENOTSUP' || code === 'EOPNOTSUPP' ? ' (the file system does not support this attribute)' : code === 'EPERM' ? ' (trusted.* and security.* attributes need root)' : '';
    throw new BerthError('io_error', `setting extended attribute ${name} on ${path} failed: ${(err as Error).message}${hint}`, { cause: err });
  }
}
