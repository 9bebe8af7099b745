// berth rmi [-f] IMAGE...   (also: berth image rm): one image at a time, in order,
// like Docker; each failure is reported and the exit code is 1 if any failed.
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { formatError } from '../../report-error.js';
import { deleteLines } from '../../format/delete-items.js';

export default async function remove(inv: Invocation): Promise<number> {
  let failed = 0;
  await withDaemon(inv, async (client) => {
    for (const name of inv.args) {
      try {
        const items = await client.call('image.remove', { name, force: inv.opts.force === true });
        process.stdout.write(deleteLines(items));
      } catch (err) {
        failed++;
        process.stderr.write(formatError(err, inv.debug));
      }
    }
  });
  return failed > 0 ? 1 : 0;
}
