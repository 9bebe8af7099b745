// berth system prune [-a] [-f] [--volumes] [--filter until=|label=]: stopped
// containers, then dangling images (every unused one with -a); prints what
// went and the space reclaimed.
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { confirm } from '../../confirm.js';
import { deleteLines } from '../../format/delete-items.js';
import { humanSize } from '../../format/size.js';
import { pruneFilters } from '../prune-filters.js';

function warning(all: boolean, volumes: boolean): string {
  return [
    'WARNING! This will remove:',
    '  - all stopped containers',
    ...(volumes ? ['  - all anonymous volumes not used by at least one container'] : []),
    all ? '  - all images without at least one container associated to them' : '  - all dangling images',
    '  - unused build cache',
    '',
  ].join('\n');
}

export default async function prune(inv: Invocation): Promise<number> {
  const all = inv.opts.all === true;
  const filters = pruneFilters(inv.opts.filter);
  if (inv.opts.force !== true && !(await confirm(warning(all, inv.opts.volumes === true)))) return 0;
  const [containers, images] = await withDaemon(inv, async (client) => {
    const c = await client.call('container.prune', filters ? { filters } : {});
    const i = await client.call('image.prune', { all });
    return [c, i] as const;
  });
  let out = '';
  if (containers.deleted.length > 0) out += `Deleted Containers:\n${containers.deleted.map((id) => `${id}\n`).join('')}\n`;
  if (images.deleted.length > 0) out += `Deleted Images:\n${deleteLines(images.deleted, true)}\n`;
  out += `Total reclaimed space: ${humanSize((containers.spaceReclaimed ?? 0) + images.spaceReclaimed)}\n`;
  process.stdout.write(out);
  return 0;
}
