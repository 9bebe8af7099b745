// berth volume prune [-a] [--filter label=…] [-f]: removes unused anonymous (with -a: all unused) volumes.
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { confirm } from '../../confirm.js';
import { humanSize } from '../../format/size.js';
import { parseFilters } from '../container/filters.js';

const WARN = 'WARNING! This will remove anonymous local volumes not used by at least one container.';
const WARN_ALL = 'WARNING! This will remove all local volumes not used by at least one container.';

export default async function prune(inv: Invocation): Promise<number> {
  const all = inv.opts.all === true;
  const filters = parseFilters(inv.opts.filter as string[] | undefined);
  if (inv.opts.force !== true && !(await confirm(all ? WARN_ALL : WARN))) return 0;
  const r = await withDaemon(inv, (client) => client.call('volume.prune', { all, ...(filters ? { filters } : {}) }));
  let out = '';
  if (r.deleted.length > 0) out += `Deleted Volumes:\n${r.deleted.map((n) => `${n}\n`).join('')}\n`;
  out += `Total reclaimed space: ${humanSize(r.spaceReclaimed)}\n`;
  process.stdout.write(out);
  return 0;
}
