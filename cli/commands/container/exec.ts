// berth exec [-d] [-i] [-t] [-e VAR] [-w DIR] [-u USER] CONTAINER COMMAND [ARG...]
// Runs a process in a running container and exits with its exit code (126
// when it cannot be invoked, 127 when not found). With -t the exec id, sent
// as a `container-id` event, is what window-size changes resize.
import type { Invocation } from '../../invocation.js';
import type { ExecParams } from '../../../src/protocol/container-methods.js';
import { withDaemon } from '../../session.js';
import { resolveEnv } from './run-options.js';
import { parseDetachKeys } from './detach-keys.js';
import { attachedSession } from './attached-session.js';
import { execFailureCode, exitCodeOnFailure, inputIsNotATty, reportNotATty } from './exit-status.js';

interface ExecFlags { detach?: boolean; interactive?: boolean; tty?: boolean; env?: string[]; workdir?: string; user?: string; detachKeys?: string }

export function toExecParams(args: string[], flags: ExecFlags, cliEnv: NodeJS.ProcessEnv = process.env): ExecParams {
  const [id, ...cmd] = args;
  const params: ExecParams = { id, cmd };
  const env = resolveEnv(flags.env ?? [], cliEnv);
  if (env.length > 0) params.env = env;
  if (flags.workdir !== undefined) params.workdir = flags.workdir;
  if (flags.user !== undefined) params.user = flags.user;
  if (flags.tty) params.tty = true;
  if (flags.interactive) params.interactive = true;
  if (flags.detach) params.detach = true;
  if (flags.detachKeys !== undefined) parseDetachKeys(flags.detachKeys);
  return params;
}

export default async function exec(inv: Invocation): Promise<number> {
  const flags = inv.opts as ExecFlags;
  const params = toExecParams(inv.args, flags);
  if (!params.detach && inputIsNotATty(params.tty === true, params.interactive === true)) return reportNotATty();
  return exitCodeOnFailure(inv, execFailureCode, async () => {
    if (params.detach) {
      await withDaemon(inv, (client) => client.call('container.exec', params));
      return 0;
    }
    const outcome = await withDaemon(inv, (client) => attachedSession(client, {
      tty: params.tty === true,
      stdin: params.interactive === true,
      detachKeys: flags.detachKeys,
      targetFromEvent: (execId) => ({ id: params.id, execId }),
    }, (callOpts) => client.call('container.exec', params, callOpts)));
    return outcome.detached ? 0 : (outcome.result.exitCode ?? 0);
  });
}
