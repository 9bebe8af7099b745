// A container's overlay upper directory as an OCI layer tar: overlay
// whiteouts (char device 0/0) become empty `.wh.<name>` files and an opaque
// directory gets a `.wh..wh..opq` entry, as the OCI image spec writes them.
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import tar from 'tar-stream';
import { tarDirectory } from './dir-tar.js';
import { OPAQUE_WHITEOUT, OVERLAY_OPAQUE_XATTR, WHITEOUT_PREFIX } from './layer-entries.js';

function whiteoutName(name: string): string {
  const slash = name.lastIndexOf('/');
  return `${name.slice(0, slash + 1)}${WHITEOUT_PREFIX}${name.slice(slash + 1)}`;
}

export function tarUpperDir(upper: string): Readable {
  const out = tar.pack();
  const input = tar.extract();
  input.on('entry', (header, stream, next) => {
    const fail = (err: unknown) => input.destroy(err as Error);
    if (header.type === 'character-device' && header.devmajor === 0 && header.devminor === 0) {
      stream.resume();
      out.entry({ ...header, name: whiteoutName(header.name), type: 'file', size: 0, mode: 0o644, devmajor: undefined, devminor: undefined }, Buffer.alloc(0), (err) => (err ? fail(err) : next()));
      return;
    }
    const body = out.entry(header, (err) => {
      if (err) return fail(err);
      if (header.type !== 'directory') return next();
      import('../native/addon.js').then(({ lgetxattr }) => {
        if (lgetxattr(join(upper, header.name), OVERLAY_OPAQUE_XATTR)?.toString() !== 'y') return next();
        out.entry({ name: `${header.name.replace(/\/$/, '')}/${OPAQUE_WHITEOUT}`, type: 'file', size: 0, mode: 0o644, uid: 0, gid: 0, mtime: header.mtime }, Buffer.alloc(0), (e) => (e ? fail(e) : next()));
      }, fail);
    });
    stream.pipe(body as unknown as NodeJS.WritableStream);
  });
  input.on('finish', () => out.finalize());
  input.on('error', (err) => out.destroy(err));
  const src = tarDirectory(upper);
  src.on('error', (err) => input.destroy(err));
  src.pipe(input as unknown as NodeJS.WritableStream);
  const result = new PassThrough();
  (out as unknown as Readable).on('error', (err) => result.destroy(err)).pipe(result);
  return result;
}
