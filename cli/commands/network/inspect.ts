// berth network inspect [-f FORMAT] NETWORK...
import type { Invocation } from '../../invocation.js';
import { inspectEach } from '../inspect-each.js';

export default function inspect(inv: Invocation): Promise<number> {
  return inspectEach(inv, (client, name) => client.call('network.inspect', { name }));
}
