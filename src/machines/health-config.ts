// Health check settings as Docker defines them: from `--health-*` flags or an
// image's HEALTHCHECK (config.Healthcheck). Durations are Go durations.
import { BerthError } from '../errors.js';
import { parseGoDuration } from '../util/go-duration.js';

/** Docker's image-config shape: Test is ["CMD", ...], ["CMD-SHELL", "..."] or ["NONE"]; times in ns. */
export interface ImageHealthcheck {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** What the health machine runs with; times in milliseconds. */
export interface HealthConfig {
  /** argv run in the container */
  command: string[];
  intervalMs: number;
  timeoutMs: number;
  startPeriodMs: number;
  startIntervalMs: number;
  retries: number;
}

export const HEALTH_DEFAULTS = { intervalMs: 30_000, timeoutMs: 30_000, startPeriodMs: 0, startIntervalMs: 5_000, retries: 3 } as const;
/** Docker rejects intervals shorter than this. */
export const MIN_HEALTH_INTERVAL_MS = 1;

/** Parses one `--health-*` duration flag; errors say what was wrong and what to write. */
export function parseHealthDuration(flag: string, value: string): number {
  const ns = parseGoDuration(value.trim());
  if (ns === undefined) {
    throw new BerthError('invalid_argument', `invalid argument "${value}" for "${flag}" flag: not a duration; use a Go duration such as 30s, 1m30s or 500ms`);
  }
  if (ns < 0n) throw new BerthError('invalid_argument', `${flag} cannot be negative`);
  return Number(ns / 1_000_000n);
}

/** Turns a Test array into the argv to run, or null for NONE/empty. */
export function healthCommand(test: string[] | undefined): string[] | null {
  if (!test || test.length === 0) return null;
  switch (test[0]) {
    case 'NONE':
      return null;
    case 'CMD':
      if (test.length < 2) throw new BerthError('invalid_argument', 'healthcheck CMD needs a command');
      return test.slice(1);
    case 'CMD-SHELL':
      return ['/bin/sh', '-c', test.slice(1).join(' ')];
    default:
      throw new BerthError('invalid_argument', `unknown healthcheck type "${test[0]}": use CMD, CMD-SHELL or NONE`);
  }
}

const nsToMs = (ns: number | undefined, fallback: number): number => (ns && ns > 0 ? Math.floor(ns / 1_000_000) : fallback);

/**
 * The effective health check: flags override the image's settings field by
 * field, as Docker merges them; null when there is none or it is disabled.
 */
export function resolveHealthConfig(flags: ImageHealthcheck | undefined, image: ImageHealthcheck | undefined, disabled = false): HealthConfig | null {
  if (disabled) return null;
  const test = flags?.Test && flags.Test.length > 0 ? flags.Test : image?.Test;
  const command = healthCommand(test);
  if (!command) return null;
  const pick = (k: keyof Omit<ImageHealthcheck, 'Test'>) => (flags?.[k] ? flags[k] : image?.[k]);
  const retries = pick('Retries');
  return {
    command,
    intervalMs: nsToMs(pick('Interval'), HEALTH_DEFAULTS.intervalMs),
    timeoutMs: nsToMs(pick('Timeout'), HEALTH_DEFAULTS.timeoutMs),
    startPeriodMs: nsToMs(pick('StartPeriod'), HEALTH_DEFAULTS.startPeriodMs),
    startIntervalMs: nsToMs(pick('StartInterval'), HEALTH_DEFAULTS.startIntervalMs),
    retries: retries && retries > 0 ? retries : HEALTH_DEFAULTS.retries,
  };
}

export interface HealthFlagValues {
  healthCmd?: string;
  healthInterval?: string;
  healthTimeout?: string;
  healthRetries?: string;
  healthStartPeriod?: string;
  healthStartInterval?: string;
  healthcheck?: boolean;
}

/** `--health-*` / `--no-healthcheck` as an ImageHealthcheck (ns), validated. */
export function healthFlagsToCheck(v: HealthFlagValues): { check?: ImageHealthcheck; disabled: boolean } {
  const disabled = v.healthcheck === false;
  const ns = (flag: string, value: string | undefined) => (value === undefined ? undefined : parseHealthDuration(flag, value) * 1_000_000);
  const check: ImageHealthcheck = {
    Interval: ns('--health-interval', v.healthInterval),
    Timeout: ns('--health-timeout', v.healthTimeout),
    StartPeriod: ns('--health-start-period', v.healthStartPeriod),
    StartInterval: ns('--health-start-interval', v.healthStartInterval),
  };
  if (v.healthRetries !== undefined) {
    if (!/^\d+$/.test(v.healthRetries)) {
      throw new BerthError('invalid_argument', `invalid argument "${v.healthRetries}" for "--health-retries" flag: use a whole number of at least 0`);
    }
    check.Retries = Number(v.healthRetries);
  }
  if (v.healthCmd !== undefined && v.healthCmd !== '') check.Test = ['CMD-SHELL', v.healthCmd];
  const anySet = Object.values(check).some((x) => x !== undefined);
  if (disabled && anySet) {
    throw new BerthError('invalid_argument', '--no-healthcheck conflicts with --health-* options: use one or the other');
  }
  for (const [flag, ms] of [['--health-interval', check.Interval], ['--health-timeout', check.Timeout], ['--health-start-interval', check.StartInterval]] as const) {
    if (ms !== undefined && ms !== 0 && ms < 1_000_000) throw new BerthError('invalid_argument', `${flag} cannot be less than 1ms`);
  }
  return { check: anySet ? check : undefined, disabled };
}
