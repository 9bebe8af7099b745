// berth unpause CONTAINER...
import type { Invocation } from '../../invocation.js';
import { forEachTarget } from '../for-each-target.js';

export default function unpause(inv: Invocation): Promise<number> {
  return forEachTarget(inv, (client, id) => client.call('container.unpause', { id }));
}
