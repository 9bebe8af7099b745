// Tars a directory tree without following symlinks: directories, regular
// files (hard links as link entries), symlinks, devices and fifos, with
// modes, owners and mtimes; security.capability kept as a PAX xattr record.
// Sockets are skipped (tar cannot hold them). Streams file contents.
import { createReadStream } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import type { Stats } from 'node:fs';
import tar from 'tar-stream';

function major(rdev: number): number {
  return Number((BigInt(rdev) >> 8n) & 0xfffn) | Number((BigInt(rdev) >> 32n) & ~0xfffn);
}
function minor(rdev: number): number {
  return Number(BigInt(rdev) & 0xffn) | Number((BigInt(rdev) >> 12n) & ~0xffn);
}

type Header = Parameters<ReturnType<typeof tar.pack>['entry']>[0];

async function capability(path: string): Promise<Record<string, string> | undefined> {
  try {
    const { lgetxattr } = await import('../native/addon.js');
    const v = lgetxattr(path, 'security.capability');
    return v ? { 'SCHILY.xattr.security.capability': v.toString('binary') } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Tars `root` (a directory, or with `prefix` any file). Entry names are relative
 * to root; with `prefix` they start with it and root itself is the entry `prefix`.
 */
export function tarDirectory(root: string, prefix = ''): Readable {
  const pack = tar.pack();
  const links = new Map<string, string>();
  const entry = (header: Header, body?: Buffer) =>
    new Promise<void>((resolve, reject) => {
      const cb = (err?: Error | null) => (err ? reject(err) : resolve());
      if (body) pack.entry(header, body, cb);
      else pack.entry(header, cb);
    });

  const visit = async (rel: string, st: Stats): Promise<void> => {
    const abs = join(root, rel);
    const name = prefix === '' ? rel : rel === '' ? prefix : `${prefix}/${rel}`;
    const base = { name, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: st.mtime };
    if (st.isDirectory()) {
      if (name !== '') await entry({ ...base, name: `${name}/`, type: 'directory' });
      for (const n of (await readdir(abs)).sort()) {
        const child = rel === '' ? n : `${rel}/${n}`;
        await visit(child, await lstat(join(root, child)));
      }
      return;
    }
    if (st.isSymbolicLink()) return entry({ ...base, type: 'symlink', linkname: await readlink(abs) });
    if (st.isCharacterDevice() || st.isBlockDevice()) {
      return entry({ ...base, type: st.isCharacterDevice() ? 'character-device' : 'block-device', devmajor: major(st.rdev), devminor: minor(st.rdev) });
    }
    if (st.isFIFO()) return entry({ ...base, type: 'fifo' });
    if (!st.isFile()) return; // sockets
    const key = `${st.dev}:${st.ino}`;
    if (st.nlink > 1) {
      const first = links.get(key);
      if (first) return entry({ ...base, type: 'link', linkname: first });
      links.set(key, name);
    }
    const pax = await capability(abs);
    const stream = pack.entry({ ...base, type: 'file', size: st.size, ...(pax ? { pax } : {}) });
    await pipeline(createReadStream(abs), stream);
  };

  (async () => {
    await visit('', await lstat(root));
    pack.finalize();
  })().catch((err: unknown) => pack.destroy(err instanceof Error ? err : new Error(String(err))));
  return pack as unknown as Readable;
}
