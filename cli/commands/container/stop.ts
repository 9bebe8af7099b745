// berth stop [-t N] CONTAINER...
import type { Invocation } from '../../invocation.js';
import { forEachTarget } from '../for-each-target.js';

export default function stop(inv: Invocation): Promise<number> {
  const timeout = inv.opts.time as number | undefined;
  return forEachTarget(inv, (client, id) =>
    client.call('container.stop', timeout === undefined ? { id } : { id, timeout }));
}
