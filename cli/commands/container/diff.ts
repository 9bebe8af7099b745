// berth diff CONTAINER: the container's file system changes, one "A|C|D PATH" line each.
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';

const KIND = ['C', 'A', 'D'] as const;

export default async function diff(inv: Invocation): Promise<number> {
  const rows = await withDaemon(inv, (client) => client.call('container.diff', { id: inv.args[0] }));
  process.stdout.write(rows.map((r) => `${KIND[r.Kind]} ${r.Path}\n`).join(''));
  return 0;
}
