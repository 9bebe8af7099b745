// berth images [-q] [--no-trunc]   (also: berth image ls)
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { imageIds, imageTable } from '../../format/image-table.js';

export default async function list(inv: Invocation): Promise<number> {
  const truncate = inv.opts.trunc !== false;
  const images = await withDaemon(inv, (client) => client.call('image.list', {}));
  process.stdout.write(inv.opts.quiet ? imageIds(images, truncate) : imageTable(images, truncate));
  return 0;
}
