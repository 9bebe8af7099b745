// The chaos run (issue 8). In CI: a short seeded run. Longer runs:
//   npm run chaos -- --seed N --minutes M      (or --replay FILE)
// A failure prints the seed and writes the steps and the daemon's journal
// to test-artifacts/chaos-<seed>.json; `--replay` of that file runs the same steps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { loadBusybox, ok } from '../fixtures/e2e-helpers.js';
import { startRegistry, type TestRegistry } from '../fixtures/registry.js';
import { startFaultProxy, type FaultProxy } from '../fixtures/fault-proxy.js';
import { pushBusybox } from '../fixtures/busybox-image.js';
import { ChaosDriver, type Op } from './driver.js';

const SEED = Number(process.env.CHAOS_SEED ?? 20261128);
const MINUTES = Number(process.env.CHAOS_MINUTES ?? 0);
const STEPS = Number(process.env.CHAOS_STEPS ?? 40);
const REPLAY = process.env.CHAOS_REPLAY;

let d: TestDaemon;
let registry: TestRegistry;
let proxy: FaultProxy;
let bridge: string;

beforeAll(async () => {
  registry = await startRegistry();
  await pushBusybox(registry.host, 'chaos/busybox');
  proxy = await startFaultProxy(registry.host);
  d = await startDaemon(['--enable-fault-injection']);
  loadBusybox(d);
  ok(d.berth(['network', 'create', '--subnet', '10.251.7.0/24', 'chaosnet']));
  bridge = JSON.parse(ok(d.berth(['network', 'inspect', 'chaosnet'])))[0].Options['com.docker.network.bridge.name'];
}, 120_000);

afterAll(async () => {
  d?.berth(['rm', '-f', ...d.berth(['ps', '-aq']).stdout.split('\n').filter(Boolean)]);
  d?.berth(['network', 'rm', 'chaosnet']);
  await d?.stop();
  await proxy?.stop();
  await registry?.stop();
});

describe('chaos', () => {
  it(`seed ${SEED}: no fault loses or leaks anything`, async () => {
    const driver = new ChaosDriver({ d, proxy, pullRef: `${proxy.host}/chaos/busybox:latest`, network: { name: 'chaosnet', bridge } }, SEED);
    const steps: number | Op[] = REPLAY ? (JSON.parse(readFileSync(REPLAY, 'utf8')).steps as { op: Op }[]).map((s) => s.op) : STEPS;
    const deadline = MINUTES > 0 ? Date.now() + MINUTES * 60_000 : Infinity;
    const report = await driver.run(MINUTES > 0 && !REPLAY ? Number.MAX_SAFE_INTEGER : steps, deadline);
    const summary = `chaos seed ${SEED}: ${report.steps.length} steps, ${report.faults} faults, ${report.checks} invariant checks, ${report.violations.length} violations`;
    process.stdout.write(`${summary}\n`);
    mkdirSync(join(REPO, 'test-artifacts'), { recursive: true });
    const file = join(REPO, 'test-artifacts', `chaos-${SEED}.json`);
    const journal = d.berth(['debug', 'journal']).stdout;
    writeFileSync(file, JSON.stringify({ ...report, journal: journal ? JSON.parse(journal) : null }, null, 1));
    expect(report.violations, `${summary}; steps and journal in ${file}; replay with: npm run chaos -- --replay ${file}`).toEqual([]);
    expect(report.faults).toBeGreaterThan(0);
  }, MINUTES > 0 ? MINUTES * 60_000 + 300_000 : 600_000);
});
