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
  rmi: () => import('./commands/image/remove.js'),
  push: () => import('./commands/image/push.js'),
  login: () => import('./commands/system/login.js'),
  logout: () => import('./commands/system/logout.js'),
  tag: () => import('./commands/image/tag.js'),
  'image-prune': () => import('./commands/image/prune.js'),
  inspect: () => import('./commands/image/inspect.js'),
  history: () => import('./commands/image/history.js'),
  save: () => import('./commands/image/save.js'),
  import: () => import('./commands/image/import.js'),
  export: () => import('./commands/image/export.js'),
  // container lifecycle (issue 5)
  create: () => import('./commands/container/create.js'),
  start: () => import('./commands/container/start.js'),
  restart: () => import('./commands/container/restart.js'),
  kill: () => import('./commands/container/kill.js'),
  wait: () => import('./commands/container/wait.js'),
  pause: () => import('./commands/container/pause.js'),
  unpause: () => import('./commands/container/unpause.js'),
  rename: () => import('./commands/container/rename.js'),
  update: () => import('./commands/container/update.js'),
  attach: () => import('./commands/container/attach.js'),
  exec: () => import('./commands/container/exec.js'),
  top: () => import('./commands/container/top.js'),
  stats: () => import('./commands/container/stats.js'),
  'object-inspect': () => import('./commands/container/inspect.js'),
  'container-inspect': () => import('./commands/container/inspect.js'),
  'container-prune': () => import('./commands/container/prune.js'),
  events: () => import('./commands/system/events.js'),
  'debug-journal': () => import('./commands/debug/journal.js'),
  'debug-replay': () => import('./commands/debug/replay.js'),
  'debug-fault': () => import('./commands/debug/fault.js'),
  cp: () => import('./commands/container/cp.js'),
  diff: () => import('./commands/container/diff.js'),
  commit: () => import('./commands/container/commit.js'),
  'system-df': () => import('./commands/system/df.js'),
  'system-prune': () => import('./commands/system/prune.js'),
  ui: () => import('./commands/system/ui.js'),
  'volume-create': () => import('./commands/volume/create.js'),
  'volume-ls': () => import('./commands/volume/list.js'),
  'volume-inspect': () => import('./commands/volume/inspect.js'),
  'volume-rm': () => import('./commands/volume/remove.js'),
  'volume-prune': () => import('./commands/volume/prune.js'),
  'network-create': () => import('./commands/network/create.js'),
  'network-ls': () => import('./commands/network/list.js'),
  'network-inspect': () => import('./commands/network/inspect.js'),
  'network-rm': () => import('./commands/network/remove.js'),
  'network-prune': () => import('./commands/network/prune.js'),
  port: () => import('./commands/container/port.js'),
  'network-connect': () => import('./commands/network/connect.js'),
  'network-disconnect': () => import('./commands/network/connect.js'),
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
