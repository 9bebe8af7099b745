// Health machine rules, driven by xstate's simulated clock.
import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, SimulatedClock } from 'xstate';
import { healthMachine, HEALTH_OUTPUT_LIMIT, type HealthState, type ProbeResult } from '../../src/machines/health.js';
import { healthFlagsToCheck, parseHealthDuration, resolveHealthConfig, type HealthConfig } from '../../src/machines/health-config.js';
import { BerthError } from '../../src/errors.js';

const config: HealthConfig = { command: ['true'], intervalMs: 100, timeoutMs: 50, startPeriodMs: 0, startIntervalMs: 0, retries: 3 };
const flush = () => new Promise((r) => setTimeout(r, 0));

function run(results: Array<ProbeResult | 'hang'>, cfg: Partial<HealthConfig> = {}, previous?: HealthState) {
  const clock = new SimulatedClock();
  const reports: Array<{ health: HealthState; changed: boolean }> = [];
  let i = 0;
  const machine = healthMachine.provide({
    actors: {
      probe: fromPromise(async () => {
        const r = results[Math.min(i++, results.length - 1)];
        return r === 'hang' ? new Promise<never>(() => {}) : r;
      }),
    },
    actions: { reportHealth: (_, params) => void reports.push(params) },
  });
  const actor = createActor(machine, { clock, input: { config: { ...config, ...cfg }, previous, now: () => clock.now() } });
  actor.start();
  const tick = async (ms: number) => {
    clock.increment(ms);
    await flush();
  };
  return { actor, reports, tick, health: () => actor.getSnapshot().context.health, probes: () => i };
}

const ok = { exitCode: 0, output: 'fine\n' };
const bad = { exitCode: 1, output: 'broken\n' };

describe('health machine', () => {
  it('starts as starting and turns healthy after one passing probe', async () => {
    const h = run([ok]);
    expect(h.health().Status).toBe('starting');
    await h.tick(99);
    expect(h.probes()).toBe(0);
    await h.tick(1);
    expect(h.health()).toMatchObject({ Status: 'healthy', FailingStreak: 0 });
    expect(h.health().Log[0]).toMatchObject({ ExitCode: 0, Output: 'fine\n' });
    expect(h.reports.at(-1)?.changed).toBe(true);
  });

  it('turns unhealthy only after `retries` consecutive failures', async () => {
    const h = run([bad]);
    await h.tick(100);
    await h.tick(100);
    expect(h.health()).toMatchObject({ Status: 'starting', FailingStreak: 2 });
    await h.tick(100);
    expect(h.health()).toMatchObject({ Status: 'unhealthy', FailingStreak: 3 });
  });

  it('a success resets the failing streak', async () => {
    const h = run([bad, bad, ok, bad]);
    for (let n = 0; n < 4; n++) await h.tick(100);
    expect(h.health()).toMatchObject({ Status: 'healthy', FailingStreak: 1 });
  });

  it('does not count failures in the start period', async () => {
    const h = run([bad], { startPeriodMs: 250 });
    await h.tick(100);
    await h.tick(100);
    expect(h.health()).toMatchObject({ Status: 'starting', FailingStreak: 0 });
    expect(h.health().Log).toHaveLength(2);
    await h.tick(100);
    expect(h.health().FailingStreak).toBe(1);
  });

  it('probes at the start interval during the start period', async () => {
    const h = run([bad], { startPeriodMs: 1000, startIntervalMs: 10 });
    for (let n = 0; n < 5; n++) await h.tick(10);
    expect(h.probes()).toBe(5);
  });

  it('counts a probe that outlives the timeout as a failure with exit -1', async () => {
    const h = run(['hang'], { retries: 1 });
    await h.tick(100);
    expect(h.health().Log).toHaveLength(0);
    await h.tick(50);
    expect(h.health()).toMatchObject({ Status: 'unhealthy', FailingStreak: 1 });
    expect(h.health().Log[0].ExitCode).toBe(-1);
    expect(h.health().Log[0].Output).toMatch(/exceeded timeout/);
  });

  it('keeps the last 5 results and cuts output to 4 KiB', async () => {
    const h = run([{ exitCode: 0, output: 'x'.repeat(10_000) }]);
    for (let n = 0; n < 7; n++) await h.tick(100);
    expect(h.health().Log).toHaveLength(5);
    expect(h.health().Log[4].Output).toHaveLength(HEALTH_OUTPUT_LIMIT);
  });

  it('resumes from a kept state (daemon restart)', async () => {
    const previous: HealthState = { Status: 'unhealthy', FailingStreak: 4, Log: [] };
    const h = run([bad], { startPeriodMs: 10_000 }, previous);
    await h.tick(100);
    expect(h.health()).toMatchObject({ Status: 'unhealthy', FailingStreak: 5 });
    expect(h.reports.at(-1)?.changed).toBe(false);
  });

  it('stops probing when stopped', async () => {
    const h = run([ok]);
    h.actor.stop();
    await h.tick(1000);
    expect(h.probes()).toBe(0);
  });
});

describe('health config', () => {
  it('parses Go durations and rejects bad ones clearly', () => {
    expect(parseHealthDuration('--health-interval', '1m30s')).toBe(90_000);
    expect(parseHealthDuration('--health-interval', '500ms')).toBe(500);
    expect(() => parseHealthDuration('--health-interval', '10')).toThrow(/not a duration.*30s/);
    expect(() => parseHealthDuration('--health-timeout', '-1s')).toThrow(BerthError);
  });

  it('merges flags over the image HEALTHCHECK with Docker defaults', () => {
    const image = { Test: ['CMD', 'check', '--deep'], Interval: 5e9, Retries: 7 };
    const { check } = healthFlagsToCheck({ healthTimeout: '2s' });
    expect(resolveHealthConfig(check, image)).toEqual({
      command: ['check', '--deep'], intervalMs: 5000, timeoutMs: 2000, startPeriodMs: 0, startIntervalMs: 5000, retries: 7,
    });
    expect(resolveHealthConfig(healthFlagsToCheck({ healthCmd: 'curl -f x' }).check, undefined)?.command).toEqual(['/bin/sh', '-c', 'curl -f x']);
    expect(resolveHealthConfig(undefined, { Test: ['NONE'] })).toBeNull();
    expect(resolveHealthConfig(undefined, image, true)).toBeNull();
    expect(() => resolveHealthConfig(undefined, { Test: ['BOGUS'] })).toThrow(/CMD, CMD-SHELL or NONE/);
  });

  it('rejects --no-healthcheck with --health-* and bad retries', () => {
    expect(() => healthFlagsToCheck({ healthcheck: false, healthCmd: 'true' })).toThrow(/conflicts/);
    expect(() => healthFlagsToCheck({ healthRetries: 'three' })).toThrow(/--health-retries/);
  });
});
