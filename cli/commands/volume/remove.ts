// berth volume rm [-f] VOLUME...
import type { Invocation } from '../../invocation.js';
import { forEachTarget } from '../for-each-target.js';

export default function remove(inv: Invocation): Promise<number> {
  const force = inv.opts.force === true;
  return forEachTarget(inv, (client, name) => client.call('volume.remove', { name, force }));
}
