// A daemon without its visualizer (disabled, or its port taken) still runs,
// and `berth ui` says why there is no URL instead of printing one.
import { afterEach, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:net';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { ok } from '../fixtures/e2e-helpers.js';

let daemon: TestDaemon | undefined;
let blocker: Server | undefined;

afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  await new Promise<void>((r) => (blocker ? blocker.close(() => r()) : r()));
  blocker = undefined;
});

describe('berth ui without a visualizer', () => {
  it('explains that --ui-addr 0 disabled it (exit 1, as Docker non-run commands)', async () => {
    daemon = await startDaemon(['--ui-addr', '0']);
    const r = daemon.berth(['ui']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/state visualizer is disabled on this daemon \(berthd --ui-addr 0\); start berthd with --ui-addr 127\.0\.0\.1:PORT/);
  }, 60_000);

  it('keeps the daemon serving when the port is taken, and says so', async () => {
    blocker = createServer();
    const port = await new Promise<number>((r) => blocker!.listen(0, '127.0.0.1', () => r((blocker!.address() as { port: number }).port)));
    daemon = await startDaemon(['--ui-addr', `127.0.0.1:${port}`]);
    ok(daemon.berth(['ps']));
    const r = daemon.berth(['ui']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`could not listen on 127.0.0.1:${port}`);
    expect(daemon.log()).toContain('running without it');
  }, 60_000);
});
