// berth image prune [-a] [-f]: removes dangling (or, with -a, all unused) images.
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { confirm } from '../../confirm.js';
import { deleteLines } from '../../format/delete-items.js';
import { humanSize } from '../../format/size.js';

const WARN_DANGLING = 'WARNING! This will remove all dangling images.';
const WARN_ALL = 'WARNING! This will remove all images without at least one container associated to them.';

export default async function prune(inv: Invocation): Promise<number> {
  const all = inv.opts.all === true;
  if (inv.opts.force !== true && !(await confirm(all ? WARN_ALL : WARN_DANGLING))) return 0;
  const r = await withDaemon(inv, (client) => client.call('image.prune', { all }));
  let out = '';
  if (r.deleted.length > 0) out += `Deleted Images:\n${deleteLines(r.deleted, true)}\n`;
  out += `Total reclaimed space: ${humanSize(r.spaceReclaimed)}\n`;
  process.stdout.write(out);
  return 0;
}
