// Docker's `cp` rules: given what the source is and what exists at the
// destination, the directory to extract into and how to rename the archive's
// top entry (whose name is the source's base name).
import { basename, dirname } from 'node:path';
import { BerthError } from '../errors.js';
import type { ExtractOptions, PathStat } from './copy-archive.js';

export interface CopyPlan {
  dir: string;
  rename?: ExtractOptions['rename'];
}

export interface CopyDest {
  /** the destination as the user wrote it */
  path: string;
  /** what is there (symlinks followed), or null when nothing is */
  stat: PathStat | null;
  where: string;
}

export function planCopy(srcPath: string, src: PathStat, dest: CopyDest): CopyPlan {
  const top = src.name === '/' ? 'root' : src.name;
  const contentsOnly = srcPath.endsWith('/.');
  if (dest.stat?.isDir) {
    if (src.isDir && contentsOnly) return { dir: dest.path, rename: { from: top, to: '' } };
    return { dir: dest.path };
  }
  if (dest.stat) {
    if (src.isDir) throw new BerthError('invalid_argument', `cannot copy a directory to a file: ${dest.path} in ${dest.where} exists and is not a directory`);
    return { dir: dirname(dest.path), rename: { from: top, to: basename(dest.path) } };
  }
  if (dest.path.endsWith('/') && !src.isDir) {
    throw new BerthError('not_found', `destination directory ${dest.path} does not exist in ${dest.where}`);
  }
  const name = basename(dest.path);
  if (name === '' || name === '.' || name === '..') throw new BerthError('invalid_argument', `invalid destination ${dest.path}`);
  return { dir: dirname(dest.path.replace(/\/+$/, '')), rename: { from: top, to: name } };
}
