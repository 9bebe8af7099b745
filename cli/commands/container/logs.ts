// berth logs [-f] [-t] [--since T] [--until T] [-n|--tail N|all] CONTAINER:
// the container's output, stdout and stderr kept apart.
import type { LogsParams } from '../../../src/protocol/container-methods.js';
import type { Invocation } from '../../invocation.js';
import { BerthError } from '../../../src/errors.js';
import { withDaemon } from '../../session.js';
import { outputWriter } from '../../output.js';
import { cancelOnInterrupt } from '../../interrupt.js';
import { resolveTimeArg } from '../../format/time-arg.js';

export function toLogsParams(id: string, opts: Record<string, unknown>, now: number = Date.now()): LogsParams {
  const params: LogsParams = { id };
  if (opts.follow === true) params.follow = true;
  if (opts.timestamps === true) params.timestamps = true;
  const tail = opts.tail as string | undefined;
  if (tail !== undefined && tail !== 'all') {
    if (!/^\d+$/.test(tail.trim())) {
      throw new BerthError('invalid_argument', `invalid value for --tail: "${tail}" (expected a number of lines, or "all")`);
    }
    params.tail = Number(tail);
  }
  if (opts.since !== undefined) params.since = resolveTimeArg('--since', String(opts.since), now);
  if (opts.until !== undefined) params.until = resolveTimeArg('--until', String(opts.until), now);
  return params;
}

export default async function logs(inv: Invocation): Promise<number> {
  const params = toLogsParams(inv.args[0], inv.opts);
  await withDaemon(inv, (client) =>
    client.call('container.logs', params, { onEvent: outputWriter(), signal: cancelOnInterrupt() }));
  return 0;
}
