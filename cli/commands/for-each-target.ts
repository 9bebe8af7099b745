// Docker's pattern for stop/rm: act on every named container concurrently,
// echo each name as given when it succeeds, report each failure, and exit 1
// if any failed.
import type { BerthClient } from '../client.js';
import type { Invocation } from '../invocation.js';
import { withDaemon } from '../session.js';
import { formatError } from '../report-error.js';

export async function forEachTarget(inv: Invocation, act: (client: BerthClient, target: string) => Promise<unknown>): Promise<number> {
  let failed = 0;
  await withDaemon(inv, (client) =>
    Promise.all(inv.args.map(async (target) => {
      try {
        await act(client, target);
        process.stdout.write(`${target}\n`);
      } catch (err) {
        failed++;
        process.stderr.write(formatError(err, inv.debug));
      }
    })));
  return failed > 0 ? 1 : 0;
}
