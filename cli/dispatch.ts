// Loads a command's module only when that command runs, so `berth --version`
// and `berth ps` never pay for code they do not use.
import type { CommandMain, CommandName, Invocation } from './invocation.js';
import { failureExitCode } from './exit-codes.js';
import { mark } from './timing.js';

type Loader = () => Promise<{ default: CommandMain }>;

const LOADERS: Record<CommandName, Loader> = {
  pull: () => import('./commands/image/pull.js'),
  images: () => import('./commands/image/list.js'),
  load: () => import('./commands/image/load.js'),
  run: () => import('./commands/container/run.js'),
  ps: () => import('./commands/container/list.js'),
  logs: () => import('./commands/container/logs.js'),
  stop: () => import('./commands/container/stop.js'),
  rm: () => import('./commands/container/remove.js'),
  version: () => import('./commands/system/version.js'),
  info: () => import('./commands/system/info.js'),
};

/** Runs the command and returns its exit code; failures are printed here, Docker-style. */
export async function runCommand(inv: Invocation): Promise<number> {
  try {
    mark('parsed');
    const { default: main } = await LOADERS[inv.command]();
    mark(`loaded ${inv.command}`);
    return await main(inv);
  } catch (err) {
    // Loaded only on failure: the success path does not pay for it.
    const { formatError } = await import('./report-error.js');
    process.stderr.write(formatError(err, inv.debug));
    return failureExitCode(inv.command, err);
  }
}
