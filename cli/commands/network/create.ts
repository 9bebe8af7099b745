// berth network create [-d bridge] [--subnet CIDR] [--gateway IP] [--internal] [--label K=V] NETWORK
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { parseLabels } from '../container/run-options.js';

export default async function create(inv: Invocation): Promise<number> {
  const o = inv.opts as { driver?: string; subnet?: string; gateway?: string; internal?: boolean; label?: string[] };
  const r = await withDaemon(inv, (client) =>
    client.call('network.create', {
      name: inv.args[0],
      ...(o.driver !== undefined ? { driver: o.driver } : {}),
      ...(o.subnet !== undefined ? { subnet: o.subnet } : {}),
      ...(o.gateway !== undefined ? { gateway: o.gateway } : {}),
      ...(o.internal ? { internal: true } : {}),
      labels: parseLabels(o.label ?? []),
    }));
  process.stdout.write(`${r.id}\n`);
  return 0;
}
