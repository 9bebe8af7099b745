// The two halves of `cp`, used on both sides (the daemon inside a container's
// root, the CLI on the host with root "/"): a path packed as a tar whose
// entries all start with the path's base name, and a tar extracted into a
// directory with that first name optionally renamed (Docker's rebase).
import { lstat, readlink, realpath } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { BerthError } from '../errors.js';
import { tarDirectory } from '../image/dir-tar.js';
import { applyDirTimes, writeEntry, WHITEOUT_PREFIX, type EntryData, type ExtractContext, type Headers } from '../image/layer-entries.js';
import type { PathStat } from '../protocol/fs-methods.js';
import { resolveInRoot } from './root-path.js';

export type { PathStat };

export interface PathOptions {
  /** follow a symlink in the last component (cp -L; always for "dir/" and "dir/.") */
  followLink?: boolean;
  /** what to call the root in messages, e.g. "container abc" */
  where: string;
}

function followsLast(path: string, opts: PathOptions): boolean {
  return opts.followLink === true || path.endsWith('/') || path.endsWith('/.');
}

export async function statPath(root: string, path: string, opts: PathOptions): Promise<PathStat> {
  const r = await resolveInRoot(root, path, followsLast(path, opts));
  let st;
  try {
    st = await lstat(r.abs);
  } catch {
    throw new BerthError('not_found', `Could not find the file ${path} in ${opts.where}`);
  }
  if ((path.endsWith('/') || path.endsWith('/.')) && !st.isDirectory()) {
    throw new BerthError('invalid_argument', `${path} in ${opts.where} is not a directory (a trailing "/" or "/." names a directory)`);
  }
  return {
    name: r.inner === '/' ? '/' : basename(r.inner),
    path: r.inner,
    mode: st.mode,
    size: st.size,
    isDir: st.isDirectory(),
    linkTarget: st.isSymbolicLink() ? await readlink(r.abs) : '',
  };
}

/** A tar of `path` with every entry under the path's base name ("root" for "/"). */
export async function packPath(root: string, path: string, opts: PathOptions): Promise<{ stat: PathStat; tar: Readable }> {
  const stat = await statPath(root, path, opts);
  const abs = (await resolveInRoot(root, stat.path, false)).abs;
  return { stat, tar: tarDirectory(abs, stat.name === '/' ? 'root' : stat.name) };
}

export interface ExtractOptions {
  /** the first component of every entry is replaced by this ('' drops it: contents only) */
  rename?: { from: string; to: string };
  /** owner of everything written; undefined keeps the archive's (cp -a) */
  owner?: { uid: number; gid: number };
  /** refuse to replace a directory by a non-directory or the reverse (Docker's noOverwriteDirNonDir) */
  noOverwriteDirNonDir?: boolean;
}

/** With noOverwriteDirNonDir: an entry may not turn an existing directory into a file, or a file into a directory. */
async function refuseDirNonDir(root: string, h: Headers, where: string): Promise<void> {
  const existing = await lstat((await resolveInRoot(root, h.name, false)).abs).catch(() => null);
  if (!existing) return;
  const entryIsDir = h.type === 'directory';
  if (existing.isDirectory() && !entryIsDir) throw new BerthError('invalid_argument', `cannot overwrite directory "${h.name}" in ${where} with non-directory from the archive`);
  if (!existing.isDirectory() && entryIsDir) throw new BerthError('invalid_argument', `cannot overwrite non-directory "${h.name}" in ${where} with directory from the archive`);
}

function rebase(name: string, rename: ExtractOptions['rename']): string | null {
  if (!rename) return name;
  const clean = name.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  if (clean === rename.from) return rename.to === '' ? null : rename.to;
  if (clean.startsWith(`${rename.from}/`)) return rename.to === '' ? clean.slice(rename.from.length + 1) : `${rename.to}${clean.slice(rename.from.length)}`;
  return name;
}

/**
 * Extracts `archive` into `dir` inside `root` (resolved there, symlinks and all);
 * `dir` must be an existing directory. Entries are written by the layer writer,
 * which never writes through a symlink; whiteout names are refused.
 */
export async function extractArchive(root: string, dir: string, archive: AsyncIterable<Uint8Array>, opts: ExtractOptions & { where: string }): Promise<void> {
  const target = await resolveInRoot(root, dir, true);
  let st;
  try {
    st = await lstat(target.abs);
  } catch {
    throw new BerthError('not_found', `Could not find the file ${dir} in ${opts.where}`);
  }
  if (!st.isDirectory()) throw new BerthError('invalid_argument', `destination ${dir} in ${opts.where} must be a directory`);
  const ctx: ExtractContext = { root: await realpath(target.abs), dirTimes: new Map(), contentSize: 0 };
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('error', reject);
    extract.on('finish', resolve);
    extract.on('entry', (header, stream, next) => {
      const h = { ...(header as unknown as Headers) };
      const name = rebase(h.name, opts.rename);
      const base = basename(h.name);
      if (name === null || base.startsWith(WHITEOUT_PREFIX)) {
        stream.resume();
        stream.on('end', () => next());
        return;
      }
      h.name = name;
      if (h.type === 'link' && h.linkname) h.linkname = rebase(h.linkname, opts.rename) ?? h.linkname;
      if (opts.owner) {
        h.uid = opts.owner.uid;
        h.gid = opts.owner.gid;
        if (h.pax) h.pax = Object.fromEntries(Object.entries(h.pax).filter(([k]) => k !== 'uid' && k !== 'gid' && k !== 'uname' && k !== 'gname'));
      }
      const checked = opts.noOverwriteDirNonDir ? refuseDirNonDir(ctx.root, h, opts.where) : Promise.resolve();
      checked.then(() => writeEntry(ctx, h, stream as unknown as EntryData)).then(() => next(), (err: unknown) => extract.destroy(err as Error));
    });
  });
  const sink = extract as unknown as NodeJS.WritableStream;
  (async () => {
    for await (const chunk of archive) {
      if (!sink.write(chunk)) await new Promise<void>((r) => sink.once('drain', () => r()));
    }
    sink.end();
  })().catch((err: unknown) => extract.destroy(err as Error));
  try {
    await done;
  } catch (err) {
    if (err instanceof BerthError) throw err;
    throw new BerthError('invalid_argument', `cannot extract the archive into ${dir} in ${opts.where}: ${(err as Error).message}`, { cause: err });
  }
  await applyDirTimes(ctx);
}
