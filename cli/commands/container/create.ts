// berth create [OPTIONS] IMAGE [COMMAND] [ARG...]: create a container (pulling
// the image if needed) and print its id.
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { ProgressRenderer } from '../../format/progress.js';
import { flagWarnings, toCreateParams, type RunFlags } from './run-options.js';
import { exitCodeOnFailure, startFailureCode } from './exit-status.js';

export default function create(inv: Invocation): Promise<number> {
  return exitCodeOnFailure(inv, startFailureCode, async () => {
    const params = toCreateParams(inv.args, inv.opts as RunFlags, process.env, 'create');
    for (const warning of flagWarnings(params)) process.stderr.write(`WARNING: ${warning}\n`);
    const pullProgress = new ProgressRenderer(process.stderr, process.stderr.isTTY === true);
    const result = await withDaemon(inv, (client) =>
      client.call('container.create', params, { onEvent: (ev) => pullProgress.render(ev) }));
    for (const warning of result.warnings ?? []) process.stderr.write(`WARNING: ${warning}\n`);
    process.stdout.write(`${result.id}\n`);
    return 0;
  });
}
