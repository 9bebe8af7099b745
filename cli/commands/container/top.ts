// berth top CONTAINER: the container's processes, as ps reports them.
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { topTable } from '../../format/top-table.js';

export default async function top(inv: Invocation): Promise<number> {
  const [id] = inv.args;
  const result = await withDaemon(inv, (client) => client.call('container.top', { id }));
  process.stdout.write(topTable(result));
  return 0;
}
