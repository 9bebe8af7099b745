// podman drives berth-runtime through conmon: run, exec, pause/unpause, stop,
// with a private store so nothing touches the host's containers.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNTIME } from './bundle.js';

const dir = mkdtempSync(join(tmpdir(), 'berth-podman-'));
const argvLog = join(dir, 'argv.log');
const wrapper = join(dir, 'berth-runtime-wrapper');
const env = { ...process.env, CONTAINERS_CONF: join(dir, 'containers.conf'), DOCKER_CONFIG: join(dir, 'docker') };

function podman(args: string[]) {
  const r = spawnSync('podman', ['--root', join(dir, 'root'), '--runroot', join(dir, 'run'), '--tmpdir', join(dir, 'tmp'),
    '--runtime', wrapper, ...args], { env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => {
  mkdirSync(join(dir, 'docker'));
  writeFileSync(join(dir, 'docker/config.json'), '{}');
  writeFileSync(env.CONTAINERS_CONF, '[containers]\ndefault_ulimits = ["nofile=20000:20000","nproc=32768:32768"]\n' +
    '[engine]\ncgroup_manager="cgroupfs"\nevents_logger="file"\n');
  // Logs the argv podman (conmon) passes, then runs the real runtime.
  writeFileSync(wrapper, `#!/bin/sh\necho "$*" >> ${argvLog}\nexec ${RUNTIME} "$@"\n`);
  chmodSync(wrapper, 0o755);
  const tar = join(dir, 'busybox.tar');
  const script = fileURLToPath(new URL('../../scripts/busybox-oci.mjs', import.meta.url));
  const b = spawnSync('node', [script, '--out', tar], { encoding: 'utf8' });
  if (b.status !== 0) throw new Error(b.stderr);
  const l = podman(['load', '-i', tar]);
  if (l.code !== 0) throw new Error(`podman load: ${l.err}`);
});

afterAll(() => {
  podman(['rm', '-af', '-t', '0']);
  spawnSync('umount', ['-R', join(dir, 'root', 'overlay')]);
  rmSync(dir, { recursive: true, force: true });
});

describe('podman with --runtime berth-runtime', () => {
  it('podman run --rm runs busybox and returns its exit code', () => {
    let r = podman(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'echo hello from podman; id -u; ulimit -n']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe('hello from podman\n0\n20000\n');
    r = podman(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'exit 42']);
    expect(r.code).toBe(42);
    const calls = readFileSync(argvLog, 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ')[0]);
    expect(calls).toEqual(expect.arrayContaining(['create', 'start', 'delete']));
  });

  it('podman exec, pause/unpause and stop go through the runtime', () => {
    let r = podman(['run', '-d', '--name', 'pm-c1', '--network', 'none', 'busybox', 'sleep', '1000']);
    expect(r.code, r.err).toBe(0);
    r = podman(['exec', 'pm-c1', 'sh', '-c', 'echo exec-ok; grep -c . /proc/1/cmdline']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toBe('exec-ok\n1\n');
    r = podman(['exec', 'pm-c1', 'sh', '-c', 'exit 3']);
    expect(r.code).toBe(3);
    expect(podman(['pause', 'pm-c1']).code).toBe(0);
    expect(podman(['inspect', '--format', '{{.State.Status}}', 'pm-c1']).out.trim()).toBe('paused');
    expect(podman(['unpause', 'pm-c1']).code).toBe(0);
    r = podman(['stop', '-t', '0', 'pm-c1']);
    expect(r.code, r.err).toBe(0);
    expect(podman(['rm', 'pm-c1']).code).toBe(0);
    const calls = readFileSync(argvLog, 'utf8').split('\n').filter(Boolean).map((l) => l.split(' ')[0]);
    expect(calls).toEqual(expect.arrayContaining(['exec', 'pause', 'resume', 'kill']));
  });
});
