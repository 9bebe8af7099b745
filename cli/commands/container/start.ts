// berth start [-a] [-i] [--detach-keys KEYS] CONTAINER...
// Without -a/-i: start each container, echo its name, report failures (exit 1).
// With -a or -i: start one container attached to its output (and, with -i,
// our stdin) and exit with its exit code, like run.
import type { Invocation } from '../../invocation.js';
import { BerthError } from '../../../src/errors.js';
import { withDaemon } from '../../session.js';
import { formatError } from '../../report-error.js';
import { attachedSession } from './attached-session.js';
import { attachConfig } from './container-config.js';
import { exitCodeOnFailure, inputIsNotATty, reportNotATty, startFailureCode } from './exit-status.js';

export default async function start(inv: Invocation): Promise<number> {
  const attach = inv.opts.attach === true || inv.opts.interactive === true;
  if (!attach) return startEach(inv);
  if (inv.args.length > 1) {
    throw new BerthError('invalid_argument', 'you cannot start and attach multiple containers at once');
  }
  const [id] = inv.args;
  let notATty = false;
  const code = await exitCodeOnFailure(inv, startFailureCode, async () => {
    const outcome = await withDaemon(inv, async (client) => {
      const config = await attachConfig(client, id);
      const stdin = inv.opts.interactive === true && config.openStdin;
      if (inputIsNotATty(config.tty, stdin)) { notATty = true; return undefined; }
      return attachedSession(client, {
        tty: config.tty, stdin, detachKeys: inv.opts.detachKeys as string | undefined, resizeTarget: { id },
      }, (callOpts) => client.call('container.start', { id, attach: true, interactive: stdin }, callOpts));
    });
    if (!outcome || outcome.detached) return 0;
    return outcome.result.exitCode ?? 0;
  });
  return notATty ? reportNotATty() : code;
}

async function startEach(inv: Invocation): Promise<number> {
  const failed: string[] = [];
  await withDaemon(inv, async (client) => {
    for (const id of inv.args) {
      try {
        await client.call('container.start', { id });
        process.stdout.write(`${id}\n`);
      } catch (err) {
        failed.push(id);
        process.stderr.write(formatError(err, inv.debug));
      }
    }
  });
  if (failed.length === 0) return 0;
  process.stderr.write(`berth: failed to start containers: ${failed.join(', ')}\n`);
  return 1;
}
