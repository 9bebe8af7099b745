// berth restart [-t SECONDS] CONTAINER...
import type { Invocation } from '../../invocation.js';
import { forEachTarget } from '../for-each-target.js';

export default function restart(inv: Invocation): Promise<number> {
  const timeout = inv.opts.time as number | undefined;
  return forEachTarget(inv, (client, id) =>
    client.call('container.restart', timeout === undefined ? { id } : { id, timeout }));
}
