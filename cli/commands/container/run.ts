// berth run: create and start a container; attached, stream its output (and
// with -i our stdin; with -t as a terminal session) and exit with its exit
// code; detached (-d), print its id.
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { pullReporter } from './pull-reporter.js';
import { flagWarnings, toRunParams, type RunFlags } from './run-options.js';
import { attachedSession } from './attached-session.js';
import { inputIsNotATty, reportNotATty } from './exit-status.js';
import { checkCidFile, parseAttach, writeCidFile } from './run-client-flags.js';

export default async function run(inv: Invocation): Promise<number> {
  const flags = inv.opts as RunFlags;
  const params = toRunParams(inv.args, flags);
  const attach = parseAttach(flags.attach);
  const sigProxy = flags.sigProxy !== false;
  checkCidFile(flags.cidfile);
  for (const warning of flagWarnings(params)) process.stderr.write(`WARNING: ${warning}\n`);
  const onPull = pullReporter(flags.quiet === true);
  if (params.detach) {
    const result = await withDaemon(inv, (client) => client.call('container.run', params, { onEvent: onPull }));
    await writeCidFile(flags.cidfile, result.id);
    process.stdout.write(`${result.id}\n`);
    return 0;
  }
  const stdin = flags.interactive === true && (!attach || attach.has('stdin'));
  if (inputIsNotATty(flags.tty === true, stdin)) return reportNotATty();
  let cidWritten: Promise<void> = Promise.resolve();
  const outcome = await withDaemon(inv, (client) => attachedSession(client, {
    tty: flags.tty === true,
    stdin,
    detachKeys: flags.detachKeys,
    streams: attach && { stdout: attach.has('stdout'), stderr: attach.has('stderr') },
    signals: flags.tty === true ? 'cancel' : sigProxy ? 'proxy' : 'none',
    targetFromEvent: (id) => {
      cidWritten = writeCidFile(flags.cidfile, id);
      return { id };
    },
    onOtherEvent: onPull,
  }, (callOpts) => client.call('container.run', params, callOpts)));
  await cidWritten;
  return outcome.detached ? 0 : (outcome.result.exitCode ?? 0);
}
