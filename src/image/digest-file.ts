// sha256 and size of a file, streamed.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { BerthError } from '../errors.js';

export async function digestFile(args: { path: string }): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of createReadStream(args.path)) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new BerthError(code === 'ENOENT' ? 'not_found' : 'io_error', `cannot digest ${args.path}: ${(err as Error).message}`, { cause: err });
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}
