// Writing one tar entry of a layer into the extraction directory: files,
// directories, symlinks, hard links, devices, fifos, xattrs, and overlayfs
// whiteouts. Callers pass only paths checked by layer-paths.ts; files are
// opened with O_EXCL|O_NOFOLLOW and metadata calls never follow symlinks.
// File system calls are synchronous (see layer-paths.ts): this runs on a
// pool worker thread.
import { chmodSync, closeSync, constants, fchmodSync, fchownSync, fstatSync, futimesSync, lchownSync, linkSync, lutimesSync, mkdirSync, openSync, symlinkSync, writeSync, type Stats } from 'node:fs';
import { join } from 'node:path';
import type { Header } from 'tar-stream';
import { BerthError } from '../errors.js';
import { clearEntry, entryComponents, lstatOrUndefined, safeParents, unsafe } from './layer-paths.js';
import { lsetxattr, mknod, S_IFBLK, S_IFCHR, S_IFIFO } from './native-ops.js';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';
export const OVERLAY_OPAQUE_XATTR = 'trusted.overlay.opaque';

export interface ExtractContext {
  root: string;
  /** Directories whose mtime is set once extraction is done (children change it). */
  dirTimes: Map<string, Date>;
  /** Sum of regular file sizes. */
  contentSize: number;
}

interface Meta { mode: number; uid: number; gid: number; mtime: Date }

/** A tar header as tar-stream gives it, with pax records as strings. */
export type Headers = Omit<Partial<Header>, 'pax'> & { name: string; pax?: Record<string, string> | null };
/** Entry data: tar-stream's (streamx) entry stream, consumed as an async iterable. */
export type EntryData = AsyncIterable<Buffer>;

function metaOf(h: Headers): Meta {
  const pax = h.pax ?? {};
  const num = (v: string | undefined, fallback: number) => (v !== undefined && /^\d+$/.test(v) ? Number(v) : fallback);
  const mtime = pax.mtime !== undefined && Number.isFinite(Number(pax.mtime)) ? new Date(Number(pax.mtime) * 1000) : h.mtime ?? new Date(0);
  return { mode: (h.mode ?? 0o644) & 0o7777, uid: num(pax.uid, h.uid ?? 0), gid: num(pax.gid, h.gid ?? 0), mtime };
}

async function drain(stream: EntryData): Promise<void> {
  for await (const _chunk of stream) {
    // entries other than files carry no data; consume whatever is there
  }
}

/** Writes all of `chunk` at the file's current offset. */
function writeAll(fd: number, chunk: Buffer): void {
  for (let off = 0; off < chunk.length;) off += writeSync(fd, chunk, off, chunk.length - off);
}

async function writeRegular(path: string, stream: EntryData, m: Meta, ctx: ExtractContext): Promise<void> {
  await clearEntry(path, false);
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
  try {
    for await (const chunk of stream) writeAll(fd, chunk);
    fchownSync(fd, m.uid, m.gid);
    fchmodSync(fd, m.mode); // after chown, which clears setuid/setgid
    futimesSync(fd, m.mtime, m.mtime);
    ctx.contentSize += fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

async function setMeta(path: string, m: Meta, isSymlink: boolean): Promise<void> {
  lchownSync(path, m.uid, m.gid);
  if (!isSymlink) chmodSync(path, m.mode); // path was just created or lstat-checked: not a symlink
  lutimesSync(path, m.mtime, m.mtime);
}

async function writeHardLink(ctx: ExtractContext, h: Headers, path: string): Promise<void> {
  const linkname = h.linkname ?? '';
  if (linkname === '') throw unsafe(h.name, 'is a hard link without a target');
  const what = `${h.name}" (hard link to "${linkname}`;
  const targetComps = entryComponents(linkname, { allowAbsolute: true, what });
  if (targetComps.length === 0) throw unsafe(what, 'points at the layer root');
  const targetPath = await safeParents(ctx.root, targetComps, what, false);
  const st: Stats | undefined = lstatOrUndefined(targetPath);
  if (!st) throw unsafe(what, 'points at a file that is not in the layer (yet)');
  if (st.isDirectory()) throw unsafe(what, 'points at a directory');
  if (targetPath === path) return;
  await clearEntry(path, false);
  linkSync(targetPath, path);
}

async function writeWhiteout(ctx: ExtractContext, comps: string[], name: string): Promise<void> {
  const base = comps[comps.length - 1]!;
  const entryPath = await safeParents(ctx.root, comps, name);
  const dir = join(entryPath, '..');
  if (base === OPAQUE_WHITEOUT) {
    await lsetxattr(dir, OVERLAY_OPAQUE_XATTR, Buffer.from('y'));
    return;
  }
  if (base.startsWith(`${WHITEOUT_PREFIX}${WHITEOUT_PREFIX}`)) return; // aufs bookkeeping (.wh..wh.plnk etc.), not content
  const hidden = base.slice(WHITEOUT_PREFIX.length);
  if (hidden === '' || hidden === '.' || hidden === '..') throw unsafe(name, 'is a whiteout without a valid name');
  const path = join(dir, hidden);
  await clearEntry(path, false);
  await mknod(path, S_IFCHR, 0, 0);
}

/** Writes one entry; `stream` is consumed in every case. */
export async function writeEntry(ctx: ExtractContext, h: Headers, stream: EntryData): Promise<void> {
  const comps = entryComponents(h.name);
  const m = metaOf(h);
  const base = comps[comps.length - 1];
  if (base !== undefined && base.startsWith(WHITEOUT_PREFIX)) {
    await drain(stream);
    await writeWhiteout(ctx, comps, h.name);
    return;
  }
  if (comps.length === 0) {
    await drain(stream);
    if (h.type !== 'directory') throw unsafe(h.name, `is a ${h.type} in place of the layer root`);
    await setMeta(ctx.root, m, false);
    ctx.dirTimes.set(ctx.root, m.mtime);
    return;
  }
  const path = await safeParents(ctx.root, comps, h.name);
  switch (h.type) {
    case 'file':
    case 'contiguous-file':
      await writeRegular(path, stream, m, ctx);
      break;
    case 'directory':
      await drain(stream);
      if ((await clearEntry(path, true)) === 'clear') mkdirSync(path, { mode: 0o700 });
      await setMeta(path, m, false);
      ctx.dirTimes.set(path, m.mtime);
      break;
    case 'symlink':
      await drain(stream);
      if (!h.linkname) throw unsafe(h.name, 'is a symlink without a target');
      await clearEntry(path, false);
      symlinkSync(h.linkname, path); // kept verbatim: absolute targets resolve inside the container
      await setMeta(path, m, true);
      break;
    case 'link':
      await drain(stream);
      await writeHardLink(ctx, h, path);
      return; // a hard link shares the target's inode and metadata
    case 'character-device':
    case 'block-device':
    case 'fifo': {
      await drain(stream);
      await clearEntry(path, false);
      const type = h.type === 'fifo' ? S_IFIFO : h.type === 'block-device' ? S_IFBLK : S_IFCHR;
      await mknod(path, type | m.mode, h.devmajor ?? 0, h.devminor ?? 0);
      await setMeta(path, m, false);
      break;
    }
    default:
      await drain(stream);
      throw new BerthError('invalid_argument', `layer entry "${h.name}" has tar type "${h.type}", which Berth cannot unpack`);
  }
  for (const [key, value] of Object.entries(h.pax ?? {})) {
    if (key.startsWith('SCHILY.xattr.')) await lsetxattr(path, key.slice('SCHILY.xattr.'.length), Buffer.from(value, 'utf8'));
  }
}

/** Sets deferred directory mtimes, deepest first. */
export async function applyDirTimes(ctx: ExtractContext): Promise<void> {
  const dirs = [...ctx.dirTimes.entries()].sort((a, b) => b[0].length - a[0].length);
  for (const [dir, mtime] of dirs) {
    const st = lstatOrUndefined(dir);
    if (st?.isDirectory()) lutimesSync(dir, mtime, mtime);
  }
}
