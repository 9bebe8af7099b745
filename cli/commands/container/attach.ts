// berth attach [--no-stdin] [--detach-keys KEYS] CONTAINER: connect our
// terminal to a running container's streams; exits with the container's
// exit code, or 0 after the detach keys.
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { attachedSession } from './attached-session.js';
import { attachConfig } from './container-config.js';
import { inputIsNotATty, reportNotATty } from './exit-status.js';

export default async function attach(inv: Invocation): Promise<number> {
  const [id] = inv.args;
  const detachKeys = inv.opts.detachKeys as string | undefined;
  let notATty = false;
  const outcome = await withDaemon(inv, async (client) => {
    const config = await attachConfig(client, id);
    const stdin = inv.opts.stdin !== false && config.openStdin;
    if (inputIsNotATty(config.tty, stdin)) { notATty = true; return undefined; }
    const params = { id, stdin, ...(detachKeys !== undefined ? { detachKeys } : {}) };
    return attachedSession(client, { tty: config.tty, stdin, detachKeys, resizeTarget: { id } },
      (callOpts) => client.call('container.attach', params, callOpts));
  });
  if (notATty) return reportNotATty();
  if (!outcome || outcome.detached || outcome.result.detached) return 0;
  return outcome.result.exitCode ?? 0;
}
