// berth ui: prints the state visualizer's URL (token included); opens nothing.
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';

export default async function ui(inv: Invocation): Promise<number> {
  const { url } = await withDaemon(inv, (client) => client.call('system.ui', {}));
  process.stdout.write(`${url}\n`);
  return 0;
}
