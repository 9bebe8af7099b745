// berth load [-i FILE]: stream an image archive (file or piped stdin) to the daemon.
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Invocation } from '../../invocation.js';
import { BerthError } from '../../../src/errors.js';
import { withDaemon } from '../../session.js';
import { cancelOnInterrupt } from '../../interrupt.js';
import { UPLOAD_CHUNK_BYTES } from '../../client.js';
import { ProgressRenderer } from '../../format/progress.js';

async function openInput(file: string | undefined): Promise<Readable> {
  if (file === undefined) {
    if (process.stdin.isTTY) {
      throw new BerthError('invalid_argument',
        'requested load from stdin, but stdin is a terminal. Pass -i FILE, or pipe an archive in: berth load < image.tar');
    }
    return process.stdin;
  }
  try {
    const handle = await open(file, 'r');
    return handle.createReadStream({ highWaterMark: UPLOAD_CHUNK_BYTES });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'it is a directory' : e.message;
    throw new BerthError('invalid_argument', `cannot read ${file}: ${why}. -i takes the path of an image archive (docker save / OCI layout tar).`);
  }
}

export default async function load(inv: Invocation): Promise<number> {
  const upload = await openInput(inv.opts.input as string | undefined);
  const quiet = inv.opts.quiet === true;
  const progress = new ProgressRenderer(process.stdout, process.stdout.isTTY === true);
  const result = await withDaemon(inv, (client) =>
    client.call('image.load', {}, {
      upload,
      signal: cancelOnInterrupt(),
      // Off a terminal Docker prints only the result lines; so do we.
      onEvent: (ev) => { if (!quiet && process.stdout.isTTY) progress.render(ev); },
    }));
  process.stdout.write(result.loaded.map((name) => `Loaded image: ${name}\n`).join(''));
  return 0;
}
