// berth debug fault actor-host [INDEX] | pool
// Crashes a part of the daemon on purpose (chaos testing). The daemon only
// accepts this when started with --enable-fault-injection.
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { BerthError } from '../../../src/errors.js';
import type { FaultParams } from '../../../src/daemon/fault-injection.js';

export default async function fault(inv: Invocation): Promise<number> {
  const [target, index] = inv.args;
  if (target !== 'actor-host' && target !== 'pool') {
    throw new BerthError('invalid_argument', `unknown fault target "${target}": use actor-host [INDEX] or pool`);
  }
  const params: FaultParams = { target };
  if (index !== undefined) {
    if (!/^\d+$/.test(index)) throw new BerthError('invalid_argument', `actor host index "${index}" is not a whole number`);
    params.index = Number(index);
  }
  try {
    const r = await withDaemon(inv, (client) => client.call('debug.fault', params));
    process.stdout.write(`${r.injected}\n`);
  } catch (err) {
    if (err instanceof BerthError && /unknown method "debug\.fault"/.test(err.message)) {
      throw new BerthError('invalid_argument', 'this daemon does not accept fault injection: start berthd with --enable-fault-injection (for chaos tests only)');
    }
    throw err;
  }
  return 0;
}
