// berth images [-a] [-q] [--digests] [--no-trunc] [-f FILTER]... [--format FORMAT]   (also: berth image ls)
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { imageIds } from '../../format/image-table.js';
import { defaultImageFormat, formatImageRows, imageRowObjects } from '../../format/image-format.js';

export default async function list(inv: Invocation): Promise<number> {
  const truncate = inv.opts.trunc !== false;
  const filters = (inv.opts.filter as string[] | undefined) ?? [];
  const format = inv.opts.format as string | undefined;
  const images = await withDaemon(inv, (client) => client.call('image.list', { filters, all: inv.opts.all === true }));
  if (inv.opts.quiet) {
    process.stdout.write(imageIds(images, truncate));
    return 0;
  }
  const rows = imageRowObjects(images, { truncate });
  process.stdout.write(formatImageRows(rows, format ?? defaultImageFormat(inv.opts.digests === true)));
  return 0;
}
