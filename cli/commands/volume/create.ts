// berth volume create [-d local] [--label K=V] [-o type=…,device=…,o=…] [VOLUME]
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { BerthError } from '../../../src/errors.js';
import { parseLabels } from '../container/run-options.js';

function parseOpts(entries: string[]): Record<string, string> {
  const opts: Record<string, string> = {};
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new BerthError('invalid_argument', `invalid option "${entry}": expected KEY=VALUE, e.g. -o type=tmpfs`);
    opts[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return opts;
}

export default async function create(inv: Invocation): Promise<number> {
  const [name] = inv.args;
  const doc = await withDaemon(inv, (client) =>
    client.call('volume.create', {
      ...(name !== undefined ? { name } : {}),
      ...(inv.opts.driver !== undefined ? { driver: inv.opts.driver as string } : {}),
      labels: parseLabels((inv.opts.label as string[] | undefined) ?? []),
      options: parseOpts((inv.opts.opt as string[] | undefined) ?? []),
    }));
  process.stdout.write(`${doc.Name}\n`);
  return 0;
}
