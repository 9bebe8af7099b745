// Resolves a path inside a directory that stands for a root file system (a
// container's), the way the kernel would after chroot: symlinks are read and
// followed by hand, absolute targets restart at the root and ".." never climbs
// above it, so no path handed back can point outside the root.
import { lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { BerthError } from '../errors.js';

const MAX_LINKS = 40; // Linux's MAXSYMLINKS

export interface RootPath {
  /** absolute host path, inside root */
  abs: string;
  /** the same path as seen from inside the root, starting with "/" */
  inner: string;
}

function split(path: string): string[] {
  return path.split('/').filter((c) => c !== '' && c !== '.');
}

/**
 * `path` is taken relative to the root (a leading "/" or not). Every symlink on
 * the way is followed; the last component is followed only with `followLast`.
 * Missing components are fine (the result names a path that may not exist).
 */
export async function resolveInRoot(root: string, path: string, followLast: boolean): Promise<RootPath> {
  const done: string[] = [];
  let todo = split(path);
  let links = 0;
  while (todo.length > 0) {
    const c = todo.shift()!;
    if (c === '..') {
      done.pop();
      continue;
    }
    const candidate = join(root, ...done, c);
    let isLink = false;
    try {
      isLink = (await lstat(candidate)).isSymbolicLink();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw err;
    }
    if (!isLink || (todo.length === 0 && !followLast)) {
      done.push(c);
      continue;
    }
    if (++links > MAX_LINKS) throw new BerthError('invalid_argument', `too many levels of symbolic links in ${path}`);
    const target = await readlink(candidate);
    if (target.startsWith('/')) done.length = 0;
    todo = [...split(target), ...todo];
  }
  return { abs: join(root, ...done), inner: `/${done.join('/')}` };
}
