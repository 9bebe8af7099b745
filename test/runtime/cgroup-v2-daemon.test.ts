// The daemon path on a pure cgroup v2 layout: berthd runs in a private mount
// namespace where the host's cgroup2 hierarchy is mounted over
// /sys/fs/cgroup (no v1), so its shims and berth-runtime see pure v2; the CLI
// drives it from the host, and the test checks the container's cgroup from
// the host side (/sys/fs/cgroup/unified is the same hierarchy).
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_JS, DAEMON_JS, REPO, cleanupDir } from '../fixtures/daemon.js';
import { cgroupMounts, subtreeControlRestorer } from './bundle.js';

const UNIFIED = cgroupMounts().find((m) => m.v2)!.dir;
const dir = mkdtempSync('/tmp/berth-t-');
const socket = join(dir, 'run', 'berth.sock');
let daemon: ChildProcess;
let log = '';
// The runtime enables what v2 offers (hugetlb here) down to /berth: given back at the end.
const restoreControl = subtreeControlRestorer([UNIFIED, join(UNIFIED, 'berth')]);

function berth(args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI_JS, '-H', `unix://${socket}`, ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
function ok(args: string[]): string {
  const r = berth(args);
  expect({ code: r.code, stderr: r.stderr }, log).toEqual({ code: 0, stderr: '' });
  return r.stdout;
}

async function listening(): Promise<void> {
  for (;;) {
    if (daemon.exitCode !== null) throw new Error(`berthd exited with ${daemon.exitCode}:\n${log}`);
    if (await new Promise<boolean>((res) => { const s = connect(socket); s.once('connect', () => { s.destroy(); res(true); }); s.once('error', () => res(false)); })) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  daemon = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c',
    'mount -t tmpfs berth-v2 /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup && exec "$0" "$@"',
    process.execPath, DAEMON_JS, '--root', join(dir, 'root'), '--exec-root', join(dir, 'run'), '--socket', socket,
    '--ui-addr', '127.0.0.1:0', '--bridge', 'none'], { stdio: ['ignore', 'pipe', 'pipe'] });
  daemon.stdout!.on('data', (d) => (log += d));
  daemon.stderr!.on('data', (d) => (log += d));
  await listening();
  const archive = join(dir, 'busybox.tar');
  execFileSync(process.execPath, [join(REPO, 'scripts/busybox-oci.mjs'), '--out', archive]);
  ok(['load', '-i', archive]);
}, 60_000);

afterAll(async () => {
  if (daemon && daemon.exitCode === null) {
    const exited = new Promise((r) => daemon.once('exit', r));
    daemon.kill('SIGTERM');
    await exited;
  }
  cleanupDir(dir);
  restoreControl();
});

const procState = (pid: number) => readFileSync(`/proc/${pid}/status`, 'utf8').match(/State:\s*(\S)/)![1];

describe('berthd whose runtime sees pure cgroup v2', () => {
  it('run --rm, pause/unpause through cgroup.freeze, stop: the cgroup comes and goes', async () => {
    ok(['run', '-d', '--rm', '--name', 'v2d', 'busybox', 'sh', '-c', 'while :; do :; done']);
    const info = JSON.parse(ok(['inspect', 'v2d']))[0];
    const pid: number = info.State.Pid;
    const cg = join(UNIFIED, 'berth', info.Id);
    expect(readFileSync(`/proc/${pid}/cgroup`, 'utf8')).toMatch(new RegExp(`^0::/berth/${info.Id}$`, 'm'));
    expect(readFileSync(join(cg, 'cgroup.procs'), 'utf8').split('\n')).toContain(String(pid));

    ok(['pause', 'v2d']);
    expect(readFileSync(join(cg, 'cgroup.events'), 'utf8')).toMatch(/^frozen 1$/m);
    expect(procState(pid)).toBe('S');
    expect(JSON.parse(ok(['inspect', 'v2d']))[0].State).toMatchObject({ Status: 'paused', Paused: true });
    ok(['unpause', 'v2d']);
    expect(readFileSync(join(cg, 'cgroup.events'), 'utf8')).toMatch(/^frozen 0$/m);
    expect(procState(pid)).toBe('R');
    expect(JSON.parse(ok(['inspect', 'v2d']))[0].State.Status).toBe('running');

    ok(['stop', '-t', '1', 'v2d']); // sh, pid 1, has no handler for TERM
    // --rm: the container, and with it its cgroup, goes away once it has stopped.
    for (let k = 0; k < 200 && berth(['inspect', 'v2d']).code === 0; k++) await new Promise((r) => setTimeout(r, 50));
    expect(berth(['inspect', 'v2d']).code).toBe(1);
    expect(existsSync(cg)).toBe(false);
  });

  it('a memory limit, whose controller v2 does not offer here, is refused with exit 125 naming it', () => {
    if (readFileSync(join(UNIFIED, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('memory')) return;
    const r = berth(['run', '--rm', '--name', 'v2m', '-m', '64m', 'busybox', 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/linux\.resources\.memory\.limit needs the memory controller: cgroup v2 does not offer the memory controller/);
    expect(ok(['ps', '-a', '--format', '{{.Names}}'])).not.toMatch(/\bv2m\b/);
  });
});
