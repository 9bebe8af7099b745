// berth container prune [-f] [--filter until=|label=]: remove stopped containers, after asking.
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { confirm } from '../../confirm.js';
import { humanSize } from '../../format/size.js';
import { pruneFilters } from '../prune-filters.js';

const WARNING = 'WARNING! This will remove all stopped containers.';

export default async function prune(inv: Invocation): Promise<number> {
  const filters = pruneFilters(inv.opts.filter);
  if (inv.opts.force !== true && !(await confirm(WARNING))) return 0;
  const result = await withDaemon(inv, (client) => client.call('container.prune', filters ? { filters } : {}));
  let out = '';
  if (result.deleted.length > 0) out += `Deleted Containers:\n${result.deleted.map((id) => `${id}\n`).join('')}\n`;
  out += `Total reclaimed space: ${humanSize(result.spaceReclaimed ?? 0)}\n`;
  process.stdout.write(out);
  return 0;
}
