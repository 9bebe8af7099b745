// One pass over an image archive tar (OCI layout or `docker save`): blobs
// under blobs/sha256/<hex> are ingested into the content store with their
// digest verified; small metadata files (oci-layout, index.json,
// manifest.json, repositories) are kept in memory; any other regular file is
// ingested under the digest computed while storing it (the layer tars and
// config files of a legacy `docker save` archive). Entry names are never used
// as file system paths.
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { BerthError } from '../errors.js';
import type { ContentStore } from '../store/content-store.js';

export const METADATA_FILES: ReadonlySet<string> = new Set(['oci-layout', 'index.json', 'manifest.json', 'repositories']);
const MAX_METADATA_BYTES = 16 * 1024 * 1024;
const BLOB_PATH = /^blobs\/([a-z0-9]+)\/([a-zA-Z0-9=_-]+)$/;

export interface ArchiveContents {
  /** oci-layout, index.json, manifest.json, repositories (when present). */
  metadata: Map<string, Buffer>;
  /** Every stored regular file by archive path → digest and size. */
  files: Map<string, { digest: string; size: number }>;
  /** Digests that were not in the store before this archive. */
  added: Set<string>;
  /** Symlink entries: archive path → archive path they point at (docker save links duplicate layers). */
  links: Map<string, string>;
}

/** Looks a stored file up by archive path, following symlink entries. */
export function lookupFile(c: ArchiveContents, name: string): { digest: string; size: number } | undefined {
  let path = archivePath(name);
  for (let i = 0; i < 16 && path !== undefined; i++) {
    const f = c.files.get(path);
    if (f) return f;
    path = c.links.get(path);
  }
  return undefined;
}

/** Removes blobs an archive added that nothing references (stray files, or everything after a failure). */
export async function dropUnreferenced(c: ArchiveContents, store: ContentStore, referenced: Set<string>): Promise<void> {
  for (const d of c.added) if (!referenced.has(d)) await store.delete(d);
}

/** Normalises "./a//b" to "a/b"; returns undefined for names that are not plain relative paths. */
export function archivePath(name: string): string | undefined {
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (name.startsWith('/') || parts.includes('..') || parts.length === 0) return undefined;
  return parts.join('/');
}

async function readSmall(stream: AsyncIterable<Buffer>, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of stream) {
    n += c.length;
    if (n > MAX_METADATA_BYTES) throw new BerthError('invalid_argument', `archive file ${name} is larger than ${MAX_METADATA_BYTES} bytes; this is not an image archive`);
    chunks.push(c);
  }
  return Buffer.concat(chunks);
}

async function storeEntry(store: ContentStore, out: ArchiveContents, path: string, size: number, stream: Readable): Promise<void> {
  const m = BLOB_PATH.exec(path);
  if (m) {
    if (m[1] !== 'sha256') throw new BerthError('invalid_argument', `archive blob ${path} uses digest algorithm ${m[1]}; only sha256 is supported`);
    const digest = `sha256:${m[2]}`;
    const existed = await store.has(digest);
    await store.ingestStream(stream, { digest, size });
    if (!existed) out.added.add(digest);
    out.files.set(path, { digest, size });
    return;
  }
  const r = await store.ingestUnknown(stream);
  out.files.set(path, r);
  out.added.add(r.digest);
}

/** Reads the whole tar stream, storing blobs; see the module comment. */
export function readArchive(input: Readable, store: ContentStore): Promise<ArchiveContents> {
  const out: ArchiveContents = { metadata: new Map(), files: new Map(), added: new Set(), links: new Map() };
  return new Promise<ArchiveContents>((resolve, reject) => {
    const extract = tar.extract();
    let failed = false;
    const fail = (err: unknown) => {
      if (failed) return;
      failed = true;
      input.destroy();
      extract.destroy();
      const e = err instanceof BerthError ? err
        : new BerthError('invalid_argument', `cannot read the image archive: ${(err as Error)?.message ?? String(err)}; it must be a tar file (OCI image layout or docker save)`, { cause: err });
      reject(e);
    };
    input.on('error', fail);
    extract.on('error', fail);
    extract.on('finish', () => { if (!failed) resolve(out); });
    extract.on('entry', (header, stream, next) => {
      const work = async () => {
        const path = archivePath(header.name);
        const entryStream = stream as unknown as Readable;
        if (header.type === 'symlink' && path !== undefined && header.linkname) {
          const target = header.linkname.startsWith('/') ? undefined : archivePath(posix.join(posix.dirname(path), header.linkname));
          if (target !== undefined) out.links.set(path, target);
        }
        if (header.type !== 'file' && header.type !== 'contiguous-file') {
          entryStream.resume();
          return;
        }
        if (path === undefined) throw new BerthError('invalid_argument', `archive entry "${header.name}" has an absolute or ".." path; this is not a valid image archive`);
        if (METADATA_FILES.has(path)) out.metadata.set(path, await readSmall(entryStream as unknown as AsyncIterable<Buffer>, path));
        else await storeEntry(store, out, path, header.size ?? 0, Readable.from(entryStream as unknown as AsyncIterable<Buffer>));
      };
      work().then(() => next(), fail);
    });
    input.pipe(extract as unknown as NodeJS.WritableStream);
  });
}
