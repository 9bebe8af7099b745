// berth create [OPTIONS] IMAGE [COMMAND] [ARG...]: create a container (pulling
// the image if needed) and print its id.
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { flagWarnings, toCreateParams, type RunFlags } from './run-options.js';
import { exitCodeOnFailure, startFailureCode } from './exit-status.js';
import { checkCidFile, writeCidFile } from './run-client-flags.js';
import { pullReporter } from './pull-reporter.js';

export default function create(inv: Invocation): Promise<number> {
  return exitCodeOnFailure(inv, startFailureCode, async () => {
    const flags = inv.opts as RunFlags;
    const params = toCreateParams(inv.args, flags, process.env, 'create');
    checkCidFile(flags.cidfile);
    for (const warning of flagWarnings(params)) process.stderr.write(`WARNING: ${warning}\n`);
    const onPull = pullReporter(flags.quiet === true);
    const result = await withDaemon(inv, (client) => client.call('container.create', params, { onEvent: onPull }));
    for (const warning of result.warnings ?? []) process.stderr.write(`WARNING: ${warning}\n`);
    await writeCidFile(flags.cidfile, result.id);
    process.stdout.write(`${result.id}\n`);
    return 0;
  });
}
