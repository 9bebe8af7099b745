// Docker's restart policies, as pure decisions over a container's context.
import { BerthError } from '../errors.js';

export interface RestartPolicy {
  name: 'no' | 'on-failure' | 'always' | 'unless-stopped';
  /** on-failure only: 0 = no limit */
  maximumRetryCount: number;
}

export const NO_RESTART: RestartPolicy = { name: 'no', maximumRetryCount: 0 };

/** Parses "no", "on-failure", "on-failure:N", "always", "unless-stopped". */
export function parseRestartPolicy(s: string | undefined): RestartPolicy {
  if (s === undefined || s === '' || s === 'no') return NO_RESTART;
  const m = /^(on-failure|always|unless-stopped)(?::(\d+))?$/.exec(s);
  if (!m) {
    throw new BerthError('invalid_argument', `invalid restart policy "${s}": use no, on-failure[:max-retries], always or unless-stopped`);
  }
  const name = m[1] as RestartPolicy['name'];
  if (m[2] !== undefined && name !== 'on-failure') {
    throw new BerthError('invalid_argument', `invalid restart policy "${s}": maximum retry count cannot be used with restart policy "${name}"`);
  }
  return { name, maximumRetryCount: m[2] !== undefined ? Number(m[2]) : 0 };
}

export interface RestartFacts {
  policy: RestartPolicy;
  exitCode: number | null;
  restartCount: number;
  manuallyStopped: boolean;
}

/** Whether a container that just exited is restarted. */
export function shouldRestart(f: RestartFacts): boolean {
  if (f.manuallyStopped) return false;
  switch (f.policy.name) {
    case 'always':
    case 'unless-stopped':
      return true;
    case 'on-failure':
      return f.exitCode !== 0 && (f.policy.maximumRetryCount === 0 || f.restartCount < f.policy.maximumRetryCount);
    default:
      return false;
  }
}

/** Whether a daemon that starts again restarts this exited container. */
export function restartsWithDaemon(policy: RestartPolicy, manuallyStopped: boolean): boolean {
  return policy.name === 'always' || (policy.name === 'unless-stopped' && !manuallyStopped);
}

const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 60_000;
/** A container that ran this long is healthy again: its backoff starts over. */
export const RESET_AFTER_MS = 10_000;

/** Docker's backoff: 100 ms doubling up to a minute; `step` counts restarts since the last healthy run. */
export function backoffDelay(step: number): number {
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, step));
}

/** How long the container ran, from the times its events carried (0 if unknown). */
export function ranFor(startedAt: string | null, finishedAt: string | null): number {
  if (!startedAt || !finishedAt) return 0;
  return Math.max(0, Date.parse(finishedAt) - Date.parse(startedAt));
}
