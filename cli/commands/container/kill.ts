// berth kill [-s SIGNAL] CONTAINER...   (the daemon's default signal is KILL)
import type { Invocation } from '../../invocation.js';
import { forEachTarget } from '../for-each-target.js';

export default function kill(inv: Invocation): Promise<number> {
  const signal = inv.opts.signal as string | undefined;
  return forEachTarget(inv, (client, id) =>
    client.call('container.kill', signal === undefined ? { id } : { id, signal }));
}
