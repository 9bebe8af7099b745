// The health monitor starts a container's check when a state note says the
// container runs. The note can arrive before this thread's LMDB read sees the
// record the note was sent for (an actor host's thread committed it): the
// monitor must read again rather than decide on the older record and never
// start the check. Real LMDB; the router is a stand-in that delivers the note
// and records what the check reports.
import { describe, expect, it } from 'vitest';
import type { MetadataDb } from '../../src/store/db.js';
import { withTempMetadataDb } from '../fixtures/temp-metadata-db.js';
import { pollUntil } from '../fixtures/poll.js';
import { HealthMonitor } from '../../src/services/health-monitor.js';
import type { ActorRouter } from '../../src/workers/router.js';
import type { StateNote } from '../../src/workers/messages.js';

let dir: string;
let db: MetadataDb;
withTempMetadataDb('berth-health-', (d, m) => {
  dir = d;
  db = m;
});

const health = { command: ['true'], intervalMs: 10, timeoutMs: 1000, startPeriodMs: 0, startIntervalMs: 0, retries: 3 };
// cwd is not absolute: every probe fails at once, without a real container, and is reported
const context = (startedAt: string | null) => ({ id: 'c1', name: 'c1', spec: { health, cwd: 'not-absolute' }, startedAt });

describe('health monitor', () => {
  it('starts the check when the record catches up with the note that announced the running state', async () => {
    await db.actors.put('container/c1', { actorId: 'container/c1', kind: 'container', seq: 1, input: null, snapshot: { value: 'created', status: 'active', context: context(null) } });
    let listener: ((n: StateNote) => void) | undefined;
    const reports: unknown[] = [];
    const router = {
      onState: (cb: (n: StateNote) => void) => { listener = cb; return () => { listener = undefined; }; },
      ask: async (to: string, msg: { type: string }) => { reports.push({ to, type: msg.type }); return null; },
    } as unknown as ActorRouter;
    const monitor = new HealthMonitor(db, router, { shimPath: '/nonexistent', runtimePath: '/nonexistent', runtimeRoot: dir, execRoot: dir });
    monitor.start();
    try {
      // the note for entry 2 arrives while the record still says entry 1 ...
      listener!({ actorId: 'container/c1', kind: 'container', seq: 2, event: 'STARTED', state: { running: 'idle' }, status: 'active', time: 't' });
      await new Promise((r) => setTimeout(r, 60));
      // ... which is committed a moment later
      await db.actors.put('container/c1', { actorId: 'container/c1', kind: 'container', seq: 2, input: null, snapshot: { value: { running: 'idle' }, status: 'active', context: context('2026-01-01T00:00:00.000Z') } });
      await pollUntil(() => reports.length > 0, 2000);
      expect(reports[0]).toEqual({ to: 'container/c1', type: 'HEALTH' });
    } finally {
      monitor.stop();
    }
  });
});
