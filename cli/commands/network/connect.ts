// berth network connect [--alias NAME] [--ip ADDR] | disconnect NETWORK CONTAINER
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';

export default async function connect(inv: Invocation): Promise<number> {
  const [network, container] = inv.args;
  const o = inv.opts as { alias?: string[]; ip?: string };
  const params = inv.command === 'network-connect'
    ? { network, container, ...(o.alias?.length ? { aliases: o.alias } : {}), ...(o.ip !== undefined ? { ip: o.ip } : {}) }
    : { network, container };
  await withDaemon(inv, (client) => client.call(inv.command === 'network-connect' ? 'network.connect' : 'network.disconnect', params));
  return 0;
}
