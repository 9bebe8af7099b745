// berth wait CONTAINER...: block until each container stops, printing each
// exit code in the order given. Exits 0 unless a container could not be waited for.
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { cancelOnInterrupt } from '../../interrupt.js';
import { formatError } from '../../report-error.js';

export default async function wait(inv: Invocation): Promise<number> {
  let failed = 0;
  const signal = cancelOnInterrupt();
  await withDaemon(inv, async (client) => {
    const waits = inv.args.map((id) => client.call('container.wait', { id }, { signal }));
    for (const pending of waits) {
      try {
        const result = await pending;
        process.stdout.write(`${result.exitCode}\n`);
      } catch (err) {
        failed++;
        process.stderr.write(formatError(err, inv.debug));
      }
    }
  });
  return failed > 0 ? 1 : 0;
}
