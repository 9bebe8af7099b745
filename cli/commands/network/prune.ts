// berth network prune [-f]: removes the networks no container uses.
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { confirm } from '../../confirm.js';

export default async function prune(inv: Invocation): Promise<number> {
  if (inv.opts.force !== true && !(await confirm('WARNING! This will remove all custom networks not used by at least one container.'))) return 0;
  const r = await withDaemon(inv, (client) => client.call('network.prune', {}));
  if (r.deleted.length > 0) process.stdout.write(`Deleted Networks:\n${r.deleted.map((n) => `${n}\n`).join('')}`);
  return 0;
}
