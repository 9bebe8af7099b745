// berth container prune [-f]: remove all stopped containers, after asking.
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { confirm } from '../../confirm.js';
import { humanSize } from '../../format/size.js';

const WARNING = 'WARNING! This will remove all stopped containers.';

export default async function prune(inv: Invocation): Promise<number> {
  if (inv.opts.force !== true && !(await confirm(WARNING))) return 0;
  const result = await withDaemon(inv, (client) => client.call('container.prune', {}));
  // spaceReclaimed is not in the result type yet; shown when the daemon sends it.
  const reclaimed = (result as { spaceReclaimed?: number }).spaceReclaimed ?? 0;
  let out = '';
  if (result.deleted.length > 0) out += `Deleted Containers:\n${result.deleted.map((id) => `${id}\n`).join('')}\n`;
  out += `Total reclaimed space: ${humanSize(reclaimed)}\n`;
  process.stdout.write(out);
  return 0;
}
