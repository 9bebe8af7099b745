// berth rm [-f] [-v] CONTAINER...
import type { Invocation } from '../../invocation.js';
import { forEachTarget } from '../for-each-target.js';

export default function remove(inv: Invocation): Promise<number> {
  const force = inv.opts.force === true;
  const volumes = inv.opts.volumes === true;
  return forEachTarget(inv, (client, id) => client.call('container.remove', { id, ...(force ? { force } : {}), ...(volumes ? { volumes } : {}) }));
}
