// The Docker Engine API (issue 9): the real docker CLI, pointed at Berth's
// docker socket, runs the everyday commands against Berth's actors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { startRegistry, type TestRegistry } from '../fixtures/registry.js';
import { pushBusybox } from '../fixtures/busybox-image.js';

let d: TestDaemon;
let registry: TestRegistry;
let dockerSocket: string;

beforeAll(async () => {
  registry = await startRegistry();
  await pushBusybox(registry.host, 'library/busybox');
  d = await startDaemon();
  dockerSocket = join(d.execRoot, 'docker.sock');
}, 120_000);

afterAll(async () => {
  await d?.stop();
  await registry?.stop();
});

function docker(args: string[], input?: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync('docker', args, {
    input,
    encoding: 'utf8',
    timeout: 60_000,
    killSignal: 'SIGKILL',
    env: { ...process.env, DOCKER_HOST: `unix://${dockerSocket}`, DOCKER_CONFIG: join(d.dir, 'docker-config') },
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function ok(args: string[], input?: string): string {
  const r = docker(args, input);
  expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: '' });
  return r.stdout;
}

function get(path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: dockerSocket, path }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('docker CLI against berthd', () => {
  it('negotiates a version and reports Berth as the server', () => {
    expect(statSync(dockerSocket).mode & 0o777).toBe(0o660);
    expect(ok(['version', '--format', '{{.Server.Platform.Name}} {{.Server.APIVersion}}']).trim()).toBe('Berth 1.43');
  });

  it('pulls from a registry with progress, then lists and tags the image', () => {
    const ref = `${registry.host}/library/busybox:latest`;
    const out = ok(['pull', ref]);
    expect(out).toContain('Digest: sha256:');
    expect(out).toContain(`Status: Downloaded newer image for ${ref}`);
    ok(['tag', ref, 'busybox:latest']);
    const images = ok(['images', '--format', '{{.Repository}}:{{.Tag}}']).split('\n');
    expect(images).toContain('busybox:latest');
    expect(images).toContain(`${registry.host}/library/busybox:latest`);
    expect(ok(['rmi', ref])).toContain(`Untagged: ${ref}`);
  });

  it('runs a container in the foreground with its output and exit code', () => {
    const r = docker(['run', '--rm', 'busybox', 'sh', '-c', 'echo to-stdout; echo to-stderr >&2; exit 3']);
    expect(r).toEqual({ code: 3, stdout: 'to-stdout\n', stderr: 'to-stderr\n' });
    expect(ok(['ps', '-aq'])).toBe('');
  });

  it('passes stdin with run -i and exec -i', () => {
    expect(ok(['run', '-i', '--rm', 'busybox', 'tr', 'a-z', 'A-Z'], 'piped text\n')).toBe('PIPED TEXT\n');
    ok(['run', '-d', '--name', 'stdin-target', 'busybox', 'sleep', '300']);
    expect(ok(['exec', '-i', 'stdin-target', 'wc', '-c'], '12345').trim()).toBe('5');
    ok(['rm', '-f', 'stdin-target']);
  });

  it('runs detached: ps, logs, logs -f, exec, inspect, stop, wait, rm', () => {
    const id = ok(['run', '-d', '--name', 'api-web', '--label', 'tier=web', 'busybox', 'sh', '-c', 'echo started; sleep 300']).trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(ok(['ps', '--format', '{{.Names}} {{.Image}} {{.Labels}}']).trim()).toBe('api-web busybox tier=web');
    expect(ok(['ps', '--filter', 'label=tier=web', '-q']).trim()).toBe(id.slice(0, 12));
    expect(ok(['logs', 'api-web'])).toBe('started\n');
    const exec = docker(['exec', 'api-web', 'sh', '-c', 'echo in-exec; exit 4']);
    expect(exec).toEqual({ code: 4, stdout: 'in-exec\n', stderr: '' });
    expect(ok(['inspect', '-f', '{{.State.Status}} {{.Name}} {{.Config.Labels.tier}}', 'api-web']).trim()).toBe('running /api-web web');
    ok(['stop', '-t', '1', 'api-web']);
    expect(ok(['wait', 'api-web']).trim()).toBe('137');
    expect(ok(['ps', '-a', '--filter', 'status=exited', '--format', '{{.Names}}']).trim()).toBe('api-web');
    ok(['rm', 'api-web']);
    expect(docker(['inspect', 'api-web']).code).toBe(1);
  });

  it('follows logs until the container exits', () => {
    ok(['run', '-d', '--name', 'ticker', 'busybox', 'sh', '-c', 'for i in 1 2 3; do echo tick $i; sleep 0.2; done']);
    expect(ok(['logs', '-f', 'ticker'])).toBe('tick 1\ntick 2\ntick 3\n');
    ok(['rm', 'ticker']);
  });

  it('reports engine events', () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    ok(['run', '--rm', '--name', 'evented', 'busybox', 'true']);
    const until = Math.floor(Date.now() / 1000) + 1;
    const events = ok(['events', '--since', String(since), '--until', String(until), '--filter', 'container=evented', '--format', '{{.Action}}']).split('\n').filter(Boolean);
    expect(events).toEqual(expect.arrayContaining(['create', 'start', 'die', 'destroy']));
  });

  it('runs health checks given by docker run --health-* flags; --no-healthcheck disables them', async () => {
    ok(['run', '-d', '--name', 'api-health', '--health-cmd', 'echo ok', '--health-interval', '200ms', 'busybox', 'sleep', '300']);
    ok(['run', '-d', '--name', 'api-nohc', '--no-healthcheck', 'busybox', 'sleep', '300']);
    let status = '';
    for (let i = 0; i < 600 && status !== 'healthy'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      status = ok(['inspect', '--format', '{{.State.Health.Status}}', 'api-health']).trim();
    }
    expect(status).toBe('healthy');
    expect(ok(['ps', '--filter', 'health=healthy', '--format', '{{.Names}} {{.Status}}'])).toMatch(/api-health Up .*\(healthy\)/);
    expect(ok(['inspect', '--format', '{{json .State.Health}}', 'api-nohc']).trim()).toBe('null');
    ok(['rm', '-f', 'api-health', 'api-nohc']);
  });

  it('answers errors as Docker does', async () => {
    const missing = docker(['run', '--rm', 'no-such-image-here', 'true']);
    expect(missing.code).toBe(125);
    expect(missing.stderr).toContain("Unable to find image 'no-such-image-here:latest' locally");
    const rm = docker(['rm', 'nothing-by-this-name']);
    expect(rm.code).toBe(1);
    expect(rm.stderr).toContain('No such container: nothing-by-this-name');
    expect(await get('/v1.99/version')).toMatchObject({ status: 400, body: expect.stringContaining('Maximum supported API version is 1.43') });
    expect(await get('/v1.12/version')).toMatchObject({ status: 400, body: expect.stringContaining('too old') });
    expect(await get('/v1.43/swarm')).toMatchObject({ status: 501, body: expect.stringContaining('not supported by Berth') });
    expect(await get('/v1.43/containers/nope/json')).toMatchObject({ status: 404, body: expect.stringContaining('No such container: nope') });
    expect(await get('/v1.43/containers/%E0%A4%A/json')).toMatchObject({ status: 400, body: expect.stringContaining('malformed request path') });
    ok(['version']);
  });
});
