// berth rm [-f] CONTAINER...
import type { Invocation } from '../../invocation.js';
import { forEachTarget } from '../for-each-target.js';

export default function remove(inv: Invocation): Promise<number> {
  const force = inv.opts.force === true;
  return forEachTarget(inv, (client, id) => client.call('container.remove', force ? { id, force } : { id }));
}
