// One container's health check, with Docker's rules. Pure: the probe (an exec
// in the container) is an invoked actor the host supplies, the clock comes in
// as `now`, every wait is an xstate delay so tests use a simulated clock.
//  - the first probe runs one interval after start (start interval while in
//    the start period);
//  - a success makes the container healthy and ends the start period;
//  - a failure in the start period does not count;
//  - `retries` consecutive counted failures make it unhealthy;
//  - a probe still running after `timeout` is a failure (exit -1).
// Docker keeps the last 5 results, each output cut to 4 KiB.
import { assign, enqueueActions, setup } from 'xstate';
import { unprovided } from './unprovided.js';
import type { HealthConfig } from './health-config.js';

export type HealthStatus = 'starting' | 'healthy' | 'unhealthy';

export interface HealthLogEntry {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

/** State.Health as `inspect` shows it. */
export interface HealthState {
  Status: HealthStatus;
  FailingStreak: number;
  Log: HealthLogEntry[];
}

export const HEALTH_LOG_ENTRIES = 5;
export const HEALTH_OUTPUT_LIMIT = 4096;

export interface ProbeResult {
  exitCode: number;
  output: string;
}

export interface HealthInput {
  config: HealthConfig;
  /** the state kept from before (daemon restart); a fresh check starts at 'starting' */
  previous?: HealthState;
  /** how long the container has been running (live restore); 0 for a fresh start */
  elapsedMs?: number;
  now: () => number;
}

interface HealthContext {
  config: HealthConfig;
  health: HealthState;
  inStartPeriod: boolean;
  probeStart: number;
  now: () => number;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** A probe's result folded into the health state, with Docker's rules. */
export function applyResult(ctx: Pick<HealthContext, 'config' | 'health' | 'inStartPeriod'>, entry: HealthLogEntry): HealthState {
  const Output = entry.Output.length > HEALTH_OUTPUT_LIMIT ? entry.Output.slice(0, HEALTH_OUTPUT_LIMIT) : entry.Output;
  const Log = [...ctx.health.Log, { ...entry, Output }].slice(-HEALTH_LOG_ENTRIES);
  if (entry.ExitCode === 0) return { Status: 'healthy', FailingStreak: 0, Log };
  if (ctx.inStartPeriod) return { ...ctx.health, Log };
  const FailingStreak = ctx.health.FailingStreak + 1;
  const Status = FailingStreak >= ctx.config.retries ? 'unhealthy' : ctx.health.Status;
  return { Status, FailingStreak, Log };
}

export const healthMachine = setup({
  types: {
    context: {} as HealthContext,
    input: {} as HealthInput,
  },
  actors: {
    probe: unprovided<ProbeResult, { command: string[]; timeoutMs: number }>('health', 'probe'),
  },
  actions: {
    /** Host hook: persist State.Health and emit `health_status` when Status changed. */
    reportHealth: (_: unknown, _params: { health: HealthState; changed: boolean }) => {},
    record: enqueueActions(({ context, enqueue }, raw: unknown) => {
      const params = raw as { exitCode: number; output: string };
      const entry = { Start: iso(context.probeStart), End: iso(context.now()), ExitCode: params.exitCode, Output: params.output };
      const health = applyResult(context, entry);
      enqueue.assign({ health, inStartPeriod: params.exitCode === 0 ? false : context.inStartPeriod });
      enqueue({ type: 'reportHealth', params: { health, changed: health.Status !== context.health.Status } });
    }),
  },
  delays: {
    nextProbe: ({ context }) => (context.inStartPeriod && context.config.startIntervalMs > 0 ? context.config.startIntervalMs : context.config.intervalMs),
    probeTimeout: ({ context }) => context.config.timeoutMs,
    startPeriodLeft: ({ context }) => context.config.startPeriodMs,
  },
}).createMachine({
  id: 'health',
  type: 'parallel',
  context: ({ input }) => {
    const startPeriodLeft = Math.max(0, input.config.startPeriodMs - (input.elapsedMs ?? 0));
    return {
      config: { ...input.config, startPeriodMs: startPeriodLeft },
      health: input.previous ?? { Status: 'starting', FailingStreak: 0, Log: [] },
      inStartPeriod: startPeriodLeft > 0 && (input.previous?.Status ?? 'starting') === 'starting',
      probeStart: 0,
      now: input.now,
    };
  },
  states: {
    period: {
      initial: 'running',
      states: {
        running: {
          always: { guard: ({ context }) => !context.inStartPeriod, target: 'over' },
          after: { startPeriodLeft: { target: 'over', actions: assign({ inStartPeriod: false }) } },
        },
        over: { type: 'final' },
      },
    },
    check: {
      initial: 'waiting',
      states: {
        waiting: { after: { nextProbe: 'probing' } },
        probing: {
          entry: assign({ probeStart: ({ context }) => context.now() }),
          invoke: {
            src: 'probe',
            input: ({ context }) => ({ command: context.config.command, timeoutMs: context.config.timeoutMs }),
            onDone: { target: 'waiting', actions: { type: 'record', params: ({ event }: { event: { output: ProbeResult } }) => ({ exitCode: event.output.exitCode, output: event.output.output }) } },
            onError: { target: 'waiting', actions: { type: 'record', params: ({ event }: { event: { error: unknown } }) => ({ exitCode: -1, output: `health check failed: ${String((event.error as Error)?.message ?? event.error)}` }) } },
          },
          after: {
            probeTimeout: {
              target: 'waiting',
              actions: { type: 'record', params: ({ context }: { context: HealthContext }) => ({ exitCode: -1, output: `Health check exceeded timeout (${context.config.timeoutMs}ms)` }) },
            },
          },
        },
      },
    },
  },
});
