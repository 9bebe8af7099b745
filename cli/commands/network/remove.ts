// berth network rm NETWORK...
import type { Invocation } from '../../invocation.js';
import { forEachTarget } from '../for-each-target.js';

export default function remove(inv: Invocation): Promise<number> {
  return forEachTarget(inv, (client, name) => client.call('network.remove', { name }));
}
