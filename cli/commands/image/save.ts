// berth save [-o FILE] IMAGE...: a tar with both the docker-save files and an
// OCI image layout, streamed from the daemon to FILE or stdout.
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { cancelOnInterrupt } from '../../interrupt.js';
import { checkStdoutTarget, openSink } from '../../stream-out.js';

export default async function save(inv: Invocation): Promise<number> {
  const file = inv.opts.output as string | undefined;
  checkStdoutTarget(file, 'the image archive');
  const sink = await openSink(file);
  try {
    await withDaemon(inv, (client) => client.call('image.save', { names: inv.args }, { onEvent: sink.onEvent, signal: cancelOnInterrupt() }));
    await sink.commit();
  } catch (err) {
    await sink.abort();
    throw err;
  }
  return 0;
}
