// `berth run -it` on a real pseudo-terminal (python3's pty, see
// pty-driver.py) against the control-channel test double: raw mode while
// attached and the terminal restored afterwards — on detach (ctrl-p ctrl-q,
// exit 0, connection closed without a cancel), on SIGTERM, on the
// container's exit and on a daemon error — and resize forwarding.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startControlServer, type ControlServer } from './control-server.js';
import { bundledBerth, repoRoot } from './berth-process.js';
import type { ClientFrame } from '../../src/protocol/frames.js';

const ID = 'd'.repeat(64);
let server: ControlServer;
let resizes: unknown[];
let runCall: number | undefined;

interface PtyReport { code: number; before: string; during: string; after: string; afterStep: string; error?: string }

function drive(mode: string): Promise<PtyReport> {
  return new Promise((resolve, reject) => {
    execFile('python3', [join(repoRoot, 'test/cli/pty-driver.py'), process.execPath, bundledBerth, server.host, mode],
      { encoding: 'utf8' }, (err, stdout, stderr) => {
        const last = stdout.trim().split('\n').at(-1) ?? '';
        try {
          const report = JSON.parse(last) as PtyReport;
          if (report.error) reject(new Error(report.error));
          else resolve(report);
        } catch {
          reject(new Error(`pty driver failed: ${err?.message ?? ''}\n${stdout}\n${stderr}`));
        }
      });
  });
}

const flags = (stty: string) => new Set(stty.split(/[\s;]+/));
/** `stty -a` without the window size (which the test changes on purpose). */
const settings = (stty: string) => stty.replace(/rows \d+; columns \d+;/, '');

beforeAll(async () => {
  execFileSync(process.execPath, [join(repoRoot, 'scripts/bundle-cli.mjs')], { cwd: repoRoot, stdio: 'pipe' });
  server = await startControlServer((f: ClientFrame, peer) => {
    const out = (text: string) => peer.send({ t: 'ev', id: runCall!, ev: { kind: 'output', stream: 1, data: Buffer.from(text) } });
    if (f.t === 'req' && f.method === 'container.run') {
      runCall = f.id;
      peer.send({ t: 'ev', id: f.id, ev: { kind: 'container-id', id: ID } });
    } else if (f.t === 'req' && f.method === 'container.resize') {
      resizes.push(f.params);
      peer.send({ t: 'res', id: f.id, result: null });
      if (resizes.length === 1) out('READY\r\n');
      if ((f.params as { rows: number }).rows === 40) out('RESIZED\r\n');
    } else if (f.t === 'data' && f.id === runCall) {
      const text = Buffer.from(f.data).toString();
      if (text === 'q') peer.send({ t: 'res', id: f.id, result: { id: ID, exitCode: 3 } });
      else if (text === 'e') peer.send({ t: 'err', id: f.id, error: { code: 'runtime_error', message: 'the runtime failed' } });
      else out(`GOT:${text}\r\n`);
    }
  });
});
afterAll(async () => { await server.close(); });
beforeEach(() => {
  resizes = [];
  runCall = undefined;
  server.received.length = 0;
});

describe('run -it on a pseudo-terminal', () => {
  it('raw mode while attached; resize forwarded; ctrl-p ctrl-q detaches with exit 0, prints nothing, restores the terminal', async () => {
    const r = await drive('detach');
    expect(flags(r.before).has('icanon')).toBe(true);
    expect(flags(r.during).has('-icanon')).toBe(true);
    expect(flags(r.during).has('-echo')).toBe(true);
    expect(settings(r.after)).toBe(settings(r.before));
    expect(r.code).toBe(0);
    expect(r.afterStep).toBe('');
    expect(resizes).toEqual([{ id: ID, rows: 24, cols: 80 }, { id: ID, rows: 40, cols: 100 }]);
    // a disconnect, not a cancel; the detach keys never reach the container
    expect(server.received.filter((f) => f.t === 'cancel' || f.t === 'end')).toEqual([]);
    const uploaded = Buffer.concat(server.received.flatMap((f) => (f.t === 'data' ? [Buffer.from(f.data)] : []))).toString();
    expect(uploaded).toBe('ab');
  });

  it('SIGTERM restores the terminal and the CLI dies of the signal', async () => {
    const r = await drive('sigterm');
    expect(flags(r.during).has('-icanon')).toBe(true);
    expect(settings(r.after)).toBe(settings(r.before));
    expect(r.code).toBe(-15);
  });

  it('the container exiting restores the terminal and gives its exit code', async () => {
    const r = await drive('exit');
    expect(settings(r.after)).toBe(settings(r.before));
    expect(r.code).toBe(3);
  });

  it('a daemon error restores the terminal, prints the error, exits 125', async () => {
    const r = await drive('error');
    expect(settings(r.after)).toBe(settings(r.before));
    expect(r.code).toBe(125);
    expect(r.afterStep).toContain('berth: Error response from daemon: the runtime failed');
  });
});
