// berth network connect|disconnect NETWORK CONTAINER
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';

export default async function connect(inv: Invocation): Promise<number> {
  const [network, container] = inv.args;
  const method = inv.command === 'network-connect' ? 'network.connect' : 'network.disconnect';
  await withDaemon(inv, (client) => client.call(method, { network, container }));
  return 0;
}
