// berth stats [-a] [--no-stream] [--no-trunc] [--format F] [CONTAINER...]
// Samples once a second (one container.stats call each, stream: false).
// Live on a terminal the table is redrawn in place; otherwise one table per
// sample; --no-stream prints one table and exits.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { statsTable } from '../../format/stats-table.js';

const INTERVAL_MS = 1000;
const HOME_AND_CLEAR = '\x1b[H\x1b[J';

export default async function stats(inv: Invocation): Promise<number> {
  const once = inv.opts.stream === false;
  const all = inv.opts.all === true;
  const params = { ids: inv.args, ...(all ? { all } : {}), stream: false };
  const opts = { truncate: inv.opts.trunc !== false, format: inv.opts.format as string | undefined };
  const inPlace = !once && process.stdout.isTTY === true;
  await withDaemon(inv, async (client) => {
    for (;;) {
      const started = Date.now();
      const samples = await client.call('container.stats', params);
      process.stdout.write((inPlace ? HOME_AND_CLEAR : '') + statsTable(samples, opts));
      if (once) return;
      await sleep(Math.max(0, INTERVAL_MS - (Date.now() - started)));
    }
  });
  return 0;
}
