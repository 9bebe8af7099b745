// Runs one command's module and turns a failure into Docker's message and
// exit code. The module is loaded only when its command runs.
import type { CommandMain, Invocation } from './invocation.js';
import { failureExitCode } from './exit-codes.js';
import { mark } from './timing.js';

export type Loader = () => Promise<{ default: CommandMain }>;

/** Runs the command and returns its exit code; failures are printed here, Docker-style. */
export async function runLoaded(inv: Invocation, load: Loader): Promise<number> {
  try {
    mark('parsed');
    const { default: main } = await load();
    mark(`loaded ${inv.command}`);
    return await main(inv);
  } catch (err) {
    // Loaded only on failure: the success path does not pay for it.
    const { formatError } = await import('./report-error.js');
    process.stderr.write(formatError(err, inv.debug));
    return failureExitCode(inv.command, err);
  }
}
