// The pure parts of the health wiring: the run spec's resolved check (flags
// over the image), ps status text and filter, health_status events.
import { describe, expect, it } from 'vitest';
import { buildRunSpec } from '../../src/runtime/container-config.js';
import { withHealth, healthcheckShape } from '../../src/views/health-view.js';
import { checkFilters, matchesFilters, type Row } from '../../src/services/container-filters.js';
import { engineEvent } from '../../src/views/engine-events.js';
import type { JournalEntry } from '../../src/store/journal-entry.js';

const ms = 1_000_000;
const image = { Cmd: ['sh'], Healthcheck: { Test: ['CMD', 'check'], Interval: 5000 * ms, Retries: 7 } };

describe('health wiring', () => {
  it('merges flags over the image check field by field; --no-healthcheck and NONE drop it', () => {
    expect(buildRunSpec(image, {}, 'h', []).health).toMatchObject({ command: ['check'], intervalMs: 5000, timeoutMs: 30_000, retries: 7 });
    expect(buildRunSpec(image, { healthcheck: { Test: ['CMD-SHELL', 'true'], Retries: 1 } }, 'h', []).health).toMatchObject({ command: ['/bin/sh', '-c', 'true'], intervalMs: 5000, retries: 1 });
    expect(buildRunSpec(image, { noHealthcheck: true }, 'h', []).health).toBeUndefined();
    expect(buildRunSpec(image, { healthcheck: { Test: ['NONE'] } }, 'h', []).health).toBeUndefined();
    expect(buildRunSpec({ Cmd: ['sh'] }, {}, 'h', []).health).toBeUndefined();
  });

  it('shows health in the ps status only while running, and Config.Healthcheck in ns', () => {
    const health = (Status: 'starting' | 'healthy' | 'unhealthy') => ({ health: { Status, FailingStreak: 0, Log: [] } });
    expect(withHealth('Up 3 seconds', 'running', health('healthy'))).toBe('Up 3 seconds (healthy)');
    expect(withHealth('Up 3 seconds', 'running', health('unhealthy'))).toBe('Up 3 seconds (unhealthy)');
    expect(withHealth('Up 3 seconds', 'running', health('starting'))).toBe('Up 3 seconds (health: starting)');
    expect(withHealth('Exited (0) 1 second ago', 'exited', health('healthy'))).toBe('Exited (0) 1 second ago');
    expect(withHealth('Up 3 seconds', 'running', { health: null })).toBe('Up 3 seconds');
    expect(healthcheckShape({ command: ['x'], intervalMs: 200, timeoutMs: 1000, startPeriodMs: 0, startIntervalMs: 5000, retries: 3 })).toMatchObject({ Test: ['CMD', 'x'], Interval: 200 * ms, Timeout: 1000 * ms });
  });

  it('filters ps rows by health and rejects unknown health values', () => {
    const row = { id: 'a', name: 'n', image: 'i', imageId: 'sha256:x', labels: {}, state: 'running', health: 'healthy' } as unknown as Row;
    expect(matchesFilters(row, { health: ['healthy'] })).toBe(true);
    expect(matchesFilters(row, { health: ['unhealthy', 'starting'] })).toBe(false);
    expect(matchesFilters({ ...row, health: undefined }, { health: ['none'] })).toBe(true);
    expect(() => checkFilters({ health: ['sick'] })).toThrow(/health=sick.*starting, healthy, unhealthy, none/);
  });

  it('turns a HEALTH entry into health_status only when the status changed', () => {
    const entry = (changed: boolean) =>
      ({ kind: 'container', seq: 1, time: new Date().toISOString(), status: 'active', state: { running: 'active' }, event: { type: 'HEALTH', changed, health: { Status: 'unhealthy' } }, context: { id: 'c1', name: 'n', image: 'busybox' } }) as unknown as JournalEntry;
    expect(engineEvent(entry(true))?.action).toBe('health_status: unhealthy');
    expect(engineEvent(entry(false))).toBeNull();
  });
});
