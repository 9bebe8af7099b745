// How health shows in `ps` and `inspect`: Docker's "(healthy)",
// "(unhealthy)", "(health: starting)" suffix and Config.Healthcheck. Pure.
import type { ContainerContext } from '../machines/container.js';
import type { HealthConfig } from '../machines/health-config.js';

/** "Up 3 seconds" + " (healthy)" while running with a health check. */
export function withHealth(status: string, state: string, c: Pick<ContainerContext, 'health'>): string {
  if (state !== 'running' || !c.health) return status;
  return c.health.Status === 'starting' ? `${status} (health: starting)` : `${status} (${c.health.Status})`;
}

/** Config.Healthcheck as Docker shows it (times in ns). */
export function healthcheckShape(h: HealthConfig | undefined): Record<string, unknown> | undefined {
  if (!h) return undefined;
  const ns = (ms: number) => ms * 1_000_000;
  return { Test: ['CMD', ...h.command], Interval: ns(h.intervalMs), Timeout: ns(h.timeoutMs), StartPeriod: ns(h.startPeriodMs), StartInterval: ns(h.startIntervalMs), Retries: h.retries };
}
