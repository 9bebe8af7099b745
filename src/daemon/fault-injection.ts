// `debug.fault`: crashes a part of the engine on purpose, for the chaos tests
// (issue 8). Only registered when berthd runs with --enable-fault-injection.
import type { Piscina } from 'piscina';
import { BerthError } from '../errors.js';
import type { ActorRouter } from '../workers/router.js';

export type FaultTarget = 'actor-host' | 'pool';

export interface FaultParams {
  target: FaultTarget;
  /** which actor host (default 0) */
  index?: number;
}

export function injectFault(p: FaultParams, router: ActorRouter, pool: Piscina): { injected: string } {
  switch (p.target) {
    case 'actor-host': {
      const i = p.index ?? 0;
      router.crashHost(i);
      return { injected: `actor host ${i} crashed` };
    }
    case 'pool': {
      // Every pool thread dies mid-task; piscina replaces them and fails what they ran.
      const threads = pool.threads;
      for (const t of threads) void t.terminate();
      return { injected: `${threads.length} pool thread(s) terminated` };
    }
    default:
      throw new BerthError('invalid_argument', `unknown fault target "${String((p as { target?: unknown }).target)}": use actor-host or pool`);
  }
}
