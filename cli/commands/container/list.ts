// berth ps [-a] [-q] [--no-trunc]
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { containerIds, containerTable } from '../../format/container-table.js';

export default async function list(inv: Invocation): Promise<number> {
  const all = inv.opts.all === true;
  const truncate = inv.opts.trunc !== false;
  const containers = await withDaemon(inv, (client) => client.call('container.list', all ? { all } : {}));
  process.stdout.write(inv.opts.quiet ? containerIds(containers, truncate) : containerTable(containers, truncate));
  return 0;
}
