// `berth stats` end to end: the daemon pushes a table a second read from the
// containers' cgroups and /proc; CPU % from successive readings, memory, pids,
// several containers at once, the stream's end (Ctrl-C, exit, removal), and
// clear errors — real daemon, real containers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { startDaemon, CLI_JS, type TestDaemon } from '../fixtures/daemon.js';
import { loadBusybox, ok } from '../fixtures/e2e-helpers.js';

let d: TestDaemon;

beforeAll(async () => {
  d = await startDaemon();
  loadBusybox(d);
});

afterAll(async () => {
  await d?.stop();
});

interface Row { ID: string; Container: string; Name: string; CPUPerc: string; MemUsage: string; MemPerc: string; NetIO: string; BlockIO: string; PIDs: string }

/** A running `berth stats ARGS`: its output so far, and waits on it. Waits fail after `limitMs` so a broken stream cannot hang the suite. */
class StatsStream {
  readonly proc: ChildProcess;
  out = '';
  err = '';
  readonly exited: Promise<number | null>;

  constructor(args: string[]) {
    this.proc = spawn(process.execPath, [CLI_JS, '-H', `unix://${d.socket}`, 'stats', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout!.on('data', (b: Buffer) => (this.out += b.toString()));
    this.proc.stderr!.on('data', (b: Buffer) => (this.err += b.toString()));
    this.exited = new Promise((r) => this.proc.on('close', (code) => r(code)));
  }

  /** Rows printed so far with --format json. */
  rows(): Row[] {
    return this.out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Row);
  }

  async until(what: string, check: () => boolean, limitMs = 30_000): Promise<void> {
    const deadline = Date.now() + limitMs;
    while (!check()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stdout:\n${this.out}\nstderr:\n${this.err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async exitCode(limitMs = 30_000): Promise<number | null> {
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), limitMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/** Runs `berth stats ARGS` on a pseudo-terminal until it has drawn two tables, then sends it SIGINT; its screen and exit code. */
const ON_A_TERMINAL = `
import json, os, pty, select, signal, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
buf = b''
end = time.time() + 30  # a guard against hanging, not a timing assertion
interrupted = False
while time.time() < end:
    if not interrupted and buf.count(b'CONTAINER ID') >= 2:
        os.kill(pid, signal.SIGINT)
        interrupted = True
    if select.select([fd], [], [], 0.1)[0]:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        buf += chunk
_, status = os.waitpid(pid, 0)
print(json.dumps({'screen': buf.decode(errors='replace'), 'code': os.waitstatus_to_exitcode(status)}))
`;

function statsOnATerminal(args: string[]): { screen: string; code: number } {
  const out = execFileSync('python3', ['-c', ON_A_TERMINAL, process.execPath, CLI_JS, '-H', `unix://${d.socket}`, 'stats', ...args], { encoding: 'utf8', timeout: 60_000 });
  return JSON.parse(out) as { screen: string; code: number };
}

const percent = (s: string) => Number(s.replace('%', ''));

/** "12.5MiB / 1GiB" → bytes of the usage part. */
function bytes(memUsage: string): number {
  const m = /^([\d.]+)([KMGT]?i?B)/.exec(memUsage.split(' / ')[0])!;
  const unit = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 }[m[2]] ?? NaN;
  return Number(m[1]) * unit;
}

describe('stats stream', () => {
  it('shows a container burning CPU with a CPU % above 0 and ends cleanly on Ctrl-C', async () => {
    ok(d.berth(['run', '-d', '--name', 'burn', 'busybox', 'sh', '-c', 'while :; do :; done']));
    const s = new StatsStream(['--format', 'json', 'burn']);
    await s.until('a sample with CPU > 0', () => s.rows().some((r) => r.Name === 'burn' && percent(r.CPUPerc) > 0));
    const first = s.rows()[0];
    expect(first.ID).toMatch(/^[0-9a-f]{12}$/);
    expect(first.Container).toBe('burn');
    await s.until('a second sample', () => s.rows().length >= 2);
    s.proc.kill('SIGINT');
    expect(await s.exitCode()).toBe(0);
    expect(s.err).toBe('');
    ok(d.berth(['rm', '-f', 'burn']));
  });

  it('shows memory growing after the container allocates', async () => {
    ok(d.berth(['run', '-d', '--name', 'mem', '--tmpfs', '/fill', 'busybox', 'sleep', '300']));
    const s = new StatsStream(['--format', 'json', 'mem']);
    await s.until('a first sample', () => s.rows().length >= 1);
    const before = bytes(s.rows().at(-1)!.MemUsage);
    // Asynchronously, so the stream's rows keep arriving meanwhile: then the second row after the exec was sampled after it.
    ok(await d.berthAsync(['exec', 'mem', 'sh', '-c', 'head -c 67108864 /dev/zero > /fill/x']));
    const seen = s.rows().length;
    await s.until('a sample after the allocation', () => s.rows().length > seen + 1);
    const after = bytes(s.rows().at(-1)!.MemUsage);
    const memory = s.rows().map((r) => r.MemUsage);
    expect({ grew: after - before > 48 * 1024 * 1024, over60MiB: after > 60 * 1024 * 1024 }, memory.join(", ")).toEqual({ grew: true, over60MiB: true });
    expect(percent(s.rows().at(-1)!.MemPerc)).toBeGreaterThan(0);
    ok(d.berth(['rm', '-f', 'mem']));
    expect(await s.exitCode()).toBe(0);
  });

  it('counts the processes of the container', async () => {
    ok(d.berth(['run', '-d', '--name', 'many', 'busybox', 'sh', '-c', 'sleep 300 & sleep 300 & sleep 300 & wait']));
    const s = new StatsStream(['--format', '{{.Name}} {{.PIDs}}', 'many']);
    await s.until('a sample', () => s.out.includes('\n'));
    expect(s.out.split('\n')[0]).toBe('many 4');
    ok(d.berth(['rm', '-f', 'many']));
    expect(await s.exitCode()).toBe(0);
  });

  it('ends when the container is removed, and when it exits (its last row all zeros)', async () => {
    ok(d.berth(['run', '-d', '--name', 'gone', 'busybox', 'sleep', '300']));
    const removed = new StatsStream(['--format', 'json', 'gone']);
    await removed.until('a first sample', () => removed.rows().length >= 1);
    ok(d.berth(['rm', '-f', 'gone']));
    expect(await removed.exitCode()).toBe(0);
    expect(removed.err).toBe('');

    ok(d.berth(['run', '-d', '--name', 'brief', 'busybox', 'sleep', '2']));
    const exited = new StatsStream(['--format', 'json', 'brief']);
    expect(await exited.exitCode()).toBe(0);
    const rows = exited.rows();
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.at(-1)).toMatchObject({ Name: 'brief', CPUPerc: '0.00%', PIDs: '0' });
    ok(d.berth(['rm', 'brief']));
  });

  it('without names follows every running container; -a adds stopped ones as zeros', async () => {
    ok(d.berth(['run', '-d', '--name', 'one', 'busybox', 'sleep', '300']));
    ok(d.berth(['run', '-d', '--name', 'two', 'busybox', 'sleep', '300']));
    ok(d.berth(['create', '--name', 'idle', 'busybox', 'true']));
    const s = new StatsStream([]);
    // successive tables, each with its header, when stdout is not a terminal
    await s.until('two tables', () => s.out.split('\n').filter((l) => l.startsWith('CONTAINER ID')).length >= 2);
    const firstTable = s.out.split('CONTAINER ID').filter(Boolean)[0];
    expect(firstTable).toMatch(/\bone\b/);
    expect(firstTable).toMatch(/\btwo\b/);
    expect(firstTable).not.toMatch(/\bidle\b/);
    expect(s.out).not.toContain('\x1b[');
    s.proc.kill('SIGINT');
    expect(await s.exitCode()).toBe(0);

    const once = ok(d.berth(['stats', '--no-stream', '-a', '--no-trunc', '--format', '{{.ID}} {{.Name}} {{.CPUPerc}} {{.MemUsage}} {{.PIDs}}']));
    const idleLine = once.split('\n').find((l) => l.includes(' idle '));
    expect(idleLine).toMatch(/^[0-9a-f]{64} idle 0\.00% 0B \/ 0B 0$/);
    expect(once).toMatch(/ one .* 1\n/);
    ok(d.berth(['rm', '-f', 'one', 'two', 'idle']));
  });

  it('redraws the table in place on a terminal, like Docker', () => {
    ok(d.berth(['run', '-d', '--name', 'tty', 'busybox', 'sleep', '300']));
    const { screen, code } = statsOnATerminal(['tty']);
    expect(code).toBe(0);
    const frames = screen.split('\x1b[2J\x1b[H');
    expect(frames.length).toBeGreaterThanOrEqual(3); // text before the first clear, then one frame per table
    expect(frames[0]).toBe('');
    for (const frame of frames.slice(1)) expect(frame).toMatch(/^CONTAINER ID +NAME +CPU %.*\r?\n[0-9a-f]{12} +tty +/);
    ok(d.berth(['rm', '-f', 'tty']));
  });
});

describe('stats errors', () => {
  it('an unknown container is a clear error with exit 1, streaming or not', () => {
    for (const args of [['stats', 'nosuch'], ['stats', '--no-stream', 'nosuch'], ['container', 'stats', '-a', 'nosuch']]) {
      const r = d.berth(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/No such container: nosuch/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stdout).toBe('');
    }
  });

  it('a bad --format template is a clear error', () => {
    ok(d.berth(['run', '-d', '--name', 'fmt', 'busybox', 'sleep', '300']));
    const r = d.berth(['stats', '--no-stream', '--format', '{{.Nope', 'fmt']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/template|format/i);
    ok(d.berth(['rm', '-f', 'fmt']));
  });
});
