// berth import [-c LINE]... [-m MESSAGE] FILE|- [REPOSITORY[:TAG]]: a root
// file system tarball (plain or gzipped) becomes a one-layer image; prints its id.
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Invocation } from '../../invocation.js';
import { BerthError } from '../../../src/errors.js';
import { withDaemon } from '../../session.js';
import { cancelOnInterrupt } from '../../interrupt.js';
import { UPLOAD_CHUNK_BYTES } from '../../client.js';

async function openSource(file: string): Promise<Readable> {
  if (file === '-') {
    if (process.stdin.isTTY) throw new BerthError('invalid_argument', 'import from "-" reads the tarball from stdin, but stdin is a terminal; pipe a tar in: berth import - < rootfs.tar');
    return process.stdin;
  }
  if (/^[a-z]+:\/\//i.test(file)) throw new BerthError('invalid_argument', `importing from a URL (${file}) is not supported; download the tarball and give its path`);
  try {
    const fh = await open(file, 'r');
    if ((await fh.stat()).isDirectory()) {
      await fh.close();
      throw new BerthError('invalid_argument', `cannot import ${file}: it is a directory; give a tar of the root file system`);
    }
    return fh.createReadStream({ highWaterMark: UPLOAD_CHUNK_BYTES });
  } catch (err) {
    if (err instanceof BerthError) throw err;
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.message;
    throw new BerthError('invalid_argument', `cannot read ${file}: ${why}`);
  }
}

export default async function importImage(inv: Invocation): Promise<number> {
  const [file, repository] = inv.args;
  const upload = await openSource(file);
  const result = await withDaemon(inv, (client) =>
    client.call('image.import', {
      repository,
      changes: (inv.opts.change as string[] | undefined) ?? [],
      message: inv.opts.message as string | undefined,
      source: file === '-' ? '-' : file,
    }, { upload, signal: cancelOnInterrupt() }));
  process.stdout.write(`${result.id}\n`);
  return 0;
}
