// berth run: create and start a container; attached, stream its output (and
// with -i our stdin; with -t as a terminal session) and exit with its exit
// code; detached (-d), print its id.
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { ProgressRenderer } from '../../format/progress.js';
import { flagWarnings, toRunParams, type RunFlags } from './run-options.js';
import { attachedSession } from './attached-session.js';
import { inputIsNotATty, reportNotATty } from './exit-status.js';

export default async function run(inv: Invocation): Promise<number> {
  const flags = inv.opts as RunFlags;
  const params = toRunParams(inv.args, flags);
  for (const warning of flagWarnings(params)) process.stderr.write(`WARNING: ${warning}\n`);
  if (params.detach) {
    const result = await withDaemon(inv, (client) => client.call('container.run', params));
    process.stdout.write(`${result.id}\n`);
    return 0;
  }
  if (inputIsNotATty(flags.tty === true, flags.interactive === true)) return reportNotATty();
  // An implicit pull ("Unable to find image …") is reported on stderr so stdout stays the container's.
  const pullProgress = new ProgressRenderer(process.stderr, process.stderr.isTTY === true);
  const outcome = await withDaemon(inv, (client) => attachedSession(client, {
    tty: flags.tty === true,
    stdin: flags.interactive === true,
    detachKeys: flags.detachKeys,
    targetFromEvent: (id) => ({ id }),
    onOtherEvent: (ev) => pullProgress.render(ev),
  }, (callOpts) => client.call('container.run', params, callOpts)));
  return outcome.detached ? 0 : (outcome.result.exitCode ?? 0);
}
