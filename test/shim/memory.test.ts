// The shim's resident set: under 1 MB idle and after a burst of output
// (a shim lives as long as its container; there is one per container).
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AttachConn, FRAME, Sandbox, eventually } from './helpers.js';

let box: Sandbox;

afterEach(async () => {
  await box?.cleanup();
});

const rssKb = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

describe('berth-shim memory', () => {
  for (const driver of ['local', 'json-file']) {
    it(`stays under 1 MB resident, idle and after 3 MB of output (${driver} log, --stdin)`, async () => {
      box = new Sandbox();
      const size = 3_000_000;
      box.makeBundle(['sh', '-c', `head -c ${size} /dev/zero | tr '\\0' a; echo; echo done; exec sleep 1000`]);
      const reply = await box.runShim(['--stdin', '--log-driver', driver]);
      expect(reply.json.ok).toBe(true);
      const shimPid = reply.json.shimPid!;
      expect(rssKb(shimPid)).toBeLessThan(1024);
      const c = await AttachConn.open(join(box.state, 'attach.sock'));
      c.send(FRAME.START);
      // The client may well be dropped as too slow: that grows and frees a backlog too.
      const log = join(box.state, 'container.log');
      await eventually(() => statSync(log).size > size && readFileSync(log).includes('done'), 'all output in the log');
      c.close();
      expect(rssKb(shimPid)).toBeLessThan(1024);
    });
  }
});
