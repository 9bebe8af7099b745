// berth stats [-a] [--no-stream] [--no-trunc] [--format F] [CONTAINER...]
// Live, the daemon pushes one table of samples a second (`stats` events):
// on a terminal the screen is cleared and the table redrawn, like Docker;
// otherwise each table is printed after the last. The stream ends on Ctrl-C
// or when every named container has stopped or gone. --no-stream prints one table.
import type { StatsSample } from '../../../src/protocol/container-methods.js';
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { cancelOnInterrupt } from '../../interrupt.js';
import { statsTable, type StatsTableOptions } from '../../format/stats-table.js';

const CLEAR_SCREEN = '\x1b[2J\x1b[H';

export default async function stats(inv: Invocation): Promise<number> {
  const once = inv.opts.stream === false;
  const all = inv.opts.all === true;
  const params = { ids: inv.args, ...(all ? { all } : {}), stream: !once };
  const opts: StatsTableOptions = { truncate: inv.opts.trunc !== false, format: inv.opts.format as string | undefined, refs: inv.args };
  const redraw = !once && process.stdout.isTTY === true;
  const show = (samples: StatsSample[]) => process.stdout.write((redraw ? CLEAR_SCREEN : '') + statsTable(samples, opts));
  await withDaemon(inv, async (client) => {
    if (once) {
      show(await client.call('container.stats', params));
      return;
    }
    await client.call('container.stats', params, {
      signal: cancelOnInterrupt(),
      onEvent: (ev) => {
        if (ev.kind === 'stats') show(ev.samples);
      },
    });
  });
  return 0;
}
