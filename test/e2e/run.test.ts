// The walking skeleton, end to end: a real daemon, a real registry, real
// containers, the real bundled CLI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { hostname } from 'node:os';
import { spawn } from 'node:child_process';
import { CLI_JS, startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { startRegistry, type TestRegistry } from '../fixtures/registry.js';
import { pushBusybox } from '../fixtures/busybox-image.js';

let registry: TestRegistry;
let daemon: TestDaemon;
let image: string;

beforeAll(async () => {
  registry = await startRegistry();
  await pushBusybox(registry.host);
  image = `${registry.host}/busybox`;
  daemon = await startDaemon();
});

afterAll(async () => {
  await daemon?.stop();
  await registry?.stop();
});

describe('berth pull / images', () => {
  it('pulls from the local registry and lists the image', () => {
    const pull = daemon.berth(['pull', image]);
    expect(pull.stderr).toBe('');
    expect(pull.code).toBe(0);
    expect(pull.stdout).toMatch(/Digest: sha256:[0-9a-f]{64}/);
    const images = daemon.berth(['images']);
    expect(images.code).toBe(0);
    expect(images.stdout).toContain(`${registry.host}/busybox`);
    expect(images.stdout).toContain('latest');
  });
});

describe('berth run', () => {
  it('prints the output and exits with the container code', () => {
    const r = daemon.berth(['run', '--rm', image, 'sh', '-c', 'echo hi; echo oops >&2; exit 3']);
    expect(r.stdout).toBe('hi\n');
    expect(r.stderr).toBe('oops\n');
    expect(r.code).toBe(3);
  });

  it('runs the command as PID 1 in its own namespaces', () => {
    const r = daemon.berth(['run', '--rm', image, 'sh', '-c', 'echo $$; hostname; cat /proc/net/dev; grep " / " /proc/self/mountinfo']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('1');
    expect(lines[1]).toMatch(/^[0-9a-f]{12}$/);
    expect(lines[1]).not.toBe(hostname());
    const ifaces = lines.filter((l) => /^\s*\w+:/.test(l)).map((l) => l.trim().split(':')[0]);
    expect(ifaces).toEqual(['lo']);
    expect(r.stdout).toMatch(/ \/ .* - overlay overlay /);
  });

  it('applies Docker default restrictions', () => {
    const r = daemon.berth(['run', '--rm', image, 'sh', '-c', 'grep -E "^(CapEff|NoNewPrivs)" /proc/self/status; touch /sys/x 2>&1; cat /proc/kcore 2>&1 | head -c 20; echo']);
    expect(r.stdout).toMatch(/CapEff:\s+00000000a80425fb/);
    expect(r.stdout).toMatch(/NoNewPrivs:\s+1/);
    expect(r.stdout).toMatch(/Read-only file system/);
  });

  it('merges env, workdir and name from the command line', () => {
    const r = daemon.berth(['run', '--rm', '--name', 'named-one', '-e', 'FOO=bar', '-w', '/tmp', image, 'sh', '-c', 'echo $FOO; pwd; echo $PATH']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('bar\n/tmp\n/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n');
  });

  it('exits 127 for a command that is not in the image', () => {
    const r = daemon.berth(['run', '--rm', image, 'no-such-command']);
    expect(r.code).toBe(127);
    expect(r.stderr).toMatch(/no-such-command.*executable file not found/);
  });

  it('passes Ctrl-C on the CLI to the container as SIGINT', async () => {
    const cli = spawn(process.execPath, [CLI_JS, '-H', `unix://${daemon.socket}`, 'run', '--rm', image, 'sh', '-c', 'trap "echo got INT; exit 130" INT; echo ready; while :; do sleep 0.1; done'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    cli.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out === 'ready\n') cli.kill('SIGINT');
    });
    const code = await new Promise<number | null>((r) => cli.on('close', r));
    expect(out).toBe('ready\ngot INT\n');
    expect(code).toBe(130);
  });

  it('runs detached, lists, shows logs, stops and removes', async () => {
    const run = daemon.berth(['run', '-d', '--name', 'sleeper', image, 'sh', '-c', 'echo started; exec sleep 300']);
    expect(run.code).toBe(0);
    const id = run.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    const ps = daemon.berth(['ps']);
    expect(ps.stdout).toContain(id.slice(0, 12));
    expect(ps.stdout).toContain('sleeper');
    expect(ps.stdout).toMatch(/Up /);
    const q = daemon.berth(['ps', '-q']);
    expect(q.stdout.split('\n')).toContain(id.slice(0, 12));
    let logs = daemon.berth(['logs', 'sleeper']);
    for (let i = 0; i < 50 && logs.stdout === ''; i++) {
      await new Promise((r) => setTimeout(r, 100));
      logs = daemon.berth(['logs', 'sleeper']);
    }
    expect(logs.stdout).toBe('started\n');
    const rmRunning = daemon.berth(['rm', 'sleeper']);
    expect(rmRunning.code).toBe(1);
    expect(rmRunning.stderr).toMatch(/stop the container before attempting removal or force remove/);
    const stop = daemon.berth(['stop', '-t', '1', 'sleeper']);
    expect(stop.code).toBe(0);
    const psa = daemon.berth(['ps', '-a']);
    expect(psa.stdout).toMatch(/sleeper/);
    expect(psa.stdout).toMatch(/Exited \((137|143)\)/);
    ok(daemon.berth(['rm', 'sleeper']));
    expect(daemon.berth(['ps', '-a']).stdout).not.toContain('sleeper');
  });

  it('rm -f kills and removes a running container', () => {
    const run = daemon.berth(['run', '-d', image, 'sleep', '300']);
    const id = run.stdout.trim();
    const rm = daemon.berth(['rm', '-f', id.slice(0, 12)]);
    expect(rm.stderr).toBe('');
    expect(rm.code).toBe(0);
    expect(daemon.berth(['ps', '-a', '-q']).stdout).not.toContain(id.slice(0, 12));
  });

  it('keeps images and containers across a daemon SIGKILL', async () => {
    const r = daemon.berth(['run', '--name', 'keeper', image, 'sh', '-c', 'exit 7']);
    expect(r.code).toBe(7);
    const imagesBefore = daemon.berth(['images']).stdout;
    const psBefore = daemon.berth(['ps', '-a']).stdout;
    expect(psBefore).toMatch(/keeper/);
    expect(psBefore).toMatch(/Exited \(7\)/);
    await daemon.restart();
    expect(daemon.berth(['images']).stdout).toBe(imagesBefore);
    const psAfter = daemon.berth(['ps', '-a']).stdout;
    expect(psAfter).toMatch(/keeper/);
    expect(psAfter).toMatch(/Exited \(7\)/);
    ok(daemon.berth(['rm', 'keeper']));
  });

  it('finds a container that exited while the daemon was down', async () => {
    const run = daemon.berth(['run', '-d', '--name', 'outlive', image, 'sh', '-c', 'sleep 1; exit 5']);
    expect(run.code).toBe(0);
    await daemon.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 2000));
    await daemon.restart();
    let ps = daemon.berth(['ps', '-a']).stdout;
    for (let i = 0; i < 50 && !/Exited \(5\)/.test(ps); i++) {
      await new Promise((r) => setTimeout(r, 100));
      ps = daemon.berth(['ps', '-a']).stdout;
    }
    expect(ps).toMatch(/outlive/);
    expect(ps).toMatch(/Exited \(5\)/);
    ok(daemon.berth(['rm', 'outlive']));
  });

  it('leaves no mounts, shims or container directories after --rm', () => {
    ok(daemon.berth(['run', '--rm', image, 'true']));
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(`${daemon.root}/containers/`);
    expect(existsSync(join(daemon.root, 'containers')) ? readdirSync(join(daemon.root, 'containers')) : []).toEqual([]);
    const shims = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(`${daemon.root}/containers/`);
        } catch {
          return false;
        }
      });
    expect(shims).toEqual([]);
  });
});

/** Asserts success, showing stderr when it fails. */
function ok(r: { code: number; stderr: string }): void {
  expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
}
