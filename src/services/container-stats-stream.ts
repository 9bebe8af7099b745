// `stats`: samples of several containers at once, either one table
// (--no-stream) or, like Docker, one table a second pushed to the caller as
// `stats` events until it cancels or every named container has gone. The CPU
// percentage of each sample comes from the previous reading of the same container.
import { setTimeout as sleep } from 'node:timers/promises';
import { idleSample, readStats, statsSample, type StatsReading } from './container-stats.js';
import type { StatsTarget, StatsTargets } from './stats-targets.js';
import type { StatsSample } from '../protocol/container-methods.js';
import type { CallContext } from '../daemon/call-context.js';

/** The first table compares readings this far apart, so it shows a CPU figure without a second's wait. */
const FIRST_WINDOW_MS = 250;
const INTERVAL_MS = 1000;

async function readAll(targets: StatsTarget[]): Promise<Map<string, StatsReading>> {
  const out = new Map<string, StatsReading>();
  await Promise.all(
    targets.map(async (t) => {
      if (t.pid === null) return;
      try {
        out.set(t.id, await readStats(t.pid));
      } catch {
        /* it stopped since the lookup: its row shows zeros */
      }
    }),
  );
  return out;
}

/** Waits `ms`; false when the caller cancelled meanwhile. */
async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await sleep(Math.max(0, ms), undefined, { signal });
    return true;
  } catch {
    return false;
  }
}

function samplesOf(targets: StatsTarget[], cur: Map<string, StatsReading>, prev: Map<string, StatsReading>): StatsSample[] {
  return targets.map((t) => {
    const r = cur.get(t.id);
    return r ? statsSample(t.id, t.name, r, prev.get(t.id)) : idleSample(t.id, t.name);
  });
}

/** One table of samples. */
export async function statsOnce(list: StatsTargets, signal: AbortSignal = new AbortController().signal): Promise<StatsSample[]> {
  const prev = await readAll(list().targets);
  await pause(FIRST_WINDOW_MS, signal);
  const { targets } = list();
  return samplesOf(targets, await readAll(targets), prev);
}

/** Emits a table a second until the call is cancelled or `list` says the table was the last; resolves with []. */
export async function streamStats(list: StatsTargets, call: CallContext): Promise<StatsSample[]> {
  let prev = await readAll(list().targets);
  let due = Date.now() + FIRST_WINDOW_MS;
  while (await pause(due - Date.now(), call.signal)) {
    const { targets, last } = list();
    const cur = await readAll(targets);
    call.emit({ kind: 'stats', samples: samplesOf(targets, cur, prev) });
    if (last) break;
    prev = cur;
    await call.drained();
    due = Math.max(due + INTERVAL_MS, Date.now());
  }
  return [];
}
