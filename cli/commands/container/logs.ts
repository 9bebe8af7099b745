// berth logs CONTAINER: the container's output so far, stdout and stderr kept apart.
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { outputWriter } from '../../output.js';
import { cancelOnInterrupt } from '../../interrupt.js';

export default async function logs(inv: Invocation): Promise<number> {
  const [id] = inv.args;
  await withDaemon(inv, (client) =>
    client.call('container.logs', { id }, { onEvent: outputWriter(), signal: cancelOnInterrupt() }));
  return 0;
}
