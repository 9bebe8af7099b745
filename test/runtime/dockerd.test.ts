// Other engines can use berth-runtime (issue 3): a private dockerd started
// with --add-runtime berth=<path> runs containers on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { REPO, cleanupDir } from '../fixtures/daemon.js';
import { RUNTIME } from './bundle.js';

let dir: string;
let dockerd: ChildProcess;
let sock: string;
let log = '';

function ping(): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: sock, path: '/_ping' }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

const docker = (args: string[]) => spawnSync('docker', ['-H', `unix://${sock}`, ...args], { encoding: 'utf8', timeout: 60_000 });

beforeAll(async () => {
  dir = mkdtempSync('/tmp/berth-dockerd-');
  sock = join(dir, 'docker.sock');
  const config = join(dir, 'daemon.json');
  writeFileSync(config, JSON.stringify({ 'deprecated-key-path': join(dir, 'data', 'key.json') }));
  dockerd = spawn('dockerd', [
    '--data-root', join(dir, 'data'), '--exec-root', join(dir, 'exec'), '--pidfile', join(dir, 'dockerd.pid'),
    '-H', `unix://${sock}`, '--config-file', config, '--iptables=false', '--ip-forward=false', '--ip-masq=false',
    '--bridge=none', '--storage-driver', 'overlay2', '--cgroup-parent', '/berth-dockerd-test',
    '--add-runtime', `berth=${RUNTIME}`,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  dockerd.stdout!.on('data', (d) => (log += d));
  dockerd.stderr!.on('data', (d) => (log += d));
  for (let i = 0; i < 150 && !(await ping()); i++) {
    if (dockerd.exitCode !== null) throw new Error(`dockerd exited with ${dockerd.exitCode}:\n${log.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  if (!(await ping())) throw new Error(`dockerd did not answer /_ping within 30 s:\n${log.slice(-2000)}`);
  // the busybox seed image, as a docker archive
  const oci = join(dir, 'busybox-oci.tar');
  spawnSync(process.execPath, [join(REPO, 'scripts/busybox-oci.mjs'), '--out', oci]);
  const copy = spawnSync('skopeo', ['copy', '--quiet', `oci-archive:${oci}`, `docker-archive:${join(dir, 'busybox.tar')}:busybox:latest`], { encoding: 'utf8' });
  if (copy.status !== 0) throw new Error(`skopeo: ${copy.stderr}`);
  const load = docker(['load', '-i', join(dir, 'busybox.tar')]);
  if (load.status !== 0) throw new Error(`docker load: ${load.stderr}`);
}, 120_000);

afterAll(async () => {
  if (dockerd && dockerd.exitCode === null) {
    const exited = new Promise((r) => dockerd.once('exit', r));
    dockerd.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
  }
  if (dir) cleanupDir(dir);
});

describe('dockerd --add-runtime berth', () => {
  it('runs containers on berth-runtime with their output and exit codes', () => {
    const r = docker(['run', '--rm', '--network', 'none', '--runtime', 'berth', 'busybox', 'sh', '-c', 'echo hi from docker on berth; exit 3']);
    expect({ code: r.status, out: r.stdout, err: r.stderr }).toEqual({ code: 3, out: 'hi from docker on berth\n', err: '' });
  });

  it('docker exec, inspect and stop work on a container it runs', () => {
    const run = docker(['run', '-d', '--network', 'none', '--runtime', 'berth', '--name', 'on-berth', 'busybox', 'sleep', '300']);
    expect(run.status, run.stderr).toBe(0);
    expect(docker(['inspect', '-f', '{{.HostConfig.Runtime}} {{.State.Status}}', 'on-berth']).stdout.trim()).toBe('berth running');
    // containerd's shim drove our binary: berth-runtime's state file, not runc's, describes the container
    const id = docker(['inspect', '-f', '{{.Id}}', 'on-berth']).stdout.trim();
    const state = spawnSync('find', ['/run/containerd', dir, '-path', `*${id}*`, '-name', 'state.json'], { encoding: 'utf8' }).stdout.trim().split('\n')[0];
    expect(state, 'no runtime state.json for the container').toBeTruthy();
    const json = JSON.parse(readFileSync(state, 'utf8'));
    expect(json).toMatchObject({ id, pidStartTime: expect.any(Number), cgroupPaths: expect.anything() });
    expect(json).not.toHaveProperty('init_process_pid'); // runc's field
    const exec = docker(['exec', 'on-berth', 'sh', '-c', 'echo $$; exit 5']);
    expect(exec.status).toBe(5);
    expect(docker(['stop', '-t', '1', 'on-berth']).status).toBe(0);
    expect(docker(['inspect', '-f', '{{.State.ExitCode}}', 'on-berth']).stdout.trim()).toBe('137');
    expect(docker(['rm', 'on-berth']).status).toBe(0);
  });
});
