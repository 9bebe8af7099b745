// berth export [-o FILE] CONTAINER: the container's file system as a tar, to FILE or stdout.
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { cancelOnInterrupt } from '../../interrupt.js';
import { checkStdoutTarget, openSink } from '../../stream-out.js';

export default async function exportContainer(inv: Invocation): Promise<number> {
  const file = inv.opts.output as string | undefined;
  checkStdoutTarget(file, 'the container file system');
  const sink = await openSink(file);
  try {
    await withDaemon(inv, (client) => client.call('container.export', { id: inv.args[0] }, { onEvent: sink.onEvent, signal: cancelOnInterrupt() }));
    await sink.commit();
  } catch (err) {
    await sink.abort();
    throw err;
  }
  return 0;
}
