// berth tag SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]   (also: berth image tag)
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';

export default async function tag(inv: Invocation): Promise<number> {
  const [source, target] = inv.args;
  await withDaemon(inv, (client) => client.call('image.tag', { source, target }));
  return 0;
}
