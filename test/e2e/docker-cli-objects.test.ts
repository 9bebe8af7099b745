// The Docker Engine API (issue 9, part B): the real docker CLI drives Berth's
// volumes, networks, system df, save/load, login/push and events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { startRegistry, type TestRegistry } from '../fixtures/registry.js';
import { startBasicRegistry, type AuthRegistry } from '../fixtures/auth-registry.js';
import { pushBusybox } from '../fixtures/busybox-image.js';
import { apiRequest, dockerCli } from '../fixtures/docker-cli.js';

let d: TestDaemon;
let registry: TestRegistry;
let basic: AuthRegistry;
let cli: ReturnType<typeof dockerCli>;
const docker = (args: string[], input?: string) => cli.docker(args, input);
const ok = (args: string[], input?: string) => cli.ok(args, input);
const berthOk = (args: string[]) => {
  const r = d.berth(args);
  expect({ args, code: r.code, stderr: r.stderr }).toEqual({ args, code: 0, stderr: '' });
  return r.stdout;
};

beforeAll(async () => {
  registry = await startRegistry();
  await pushBusybox(registry.host, 'library/busybox');
  basic = await startBasicRegistry('carol', 'p4ss');
  d = await startDaemon();
  cli = dockerCli(d);
  ok(['pull', `${registry.host}/library/busybox:latest`]);
  ok(['tag', `${registry.host}/library/busybox:latest`, 'busybox:latest']);
}, 120_000);

afterAll(async () => {
  await d?.stop();
  await registry?.stop();
  await basic?.stop();
});

describe('docker volume', () => {
  it('creates, lists with filters, inspects, refuses to remove a used volume, prunes', () => {
    expect(ok(['volume', 'create', '--label', 'team=blue', 'apivol']).trim()).toBe('apivol');
    ok(['volume', 'create', 'othervol']);
    expect(ok(['volume', 'ls', '--filter', 'label=team=blue', '--format', '{{.Name}}'])).toBe('apivol\n');
    expect(ok(['volume', 'inspect', '--format', '{{.Driver}} {{.Labels.team}} {{.Scope}}', 'apivol'])).toBe('local blue local\n');
    berthOk(['run', '-d', '--name', 'volwriter', '-v', 'apivol:/data', 'busybox', 'sh', '-c', 'echo kept > /data/f; sleep 300']);
    expect(ok(['volume', 'ls', '--filter', 'dangling=true', '--format', '{{.Name}}'])).toBe('othervol\n');
    const inUse = docker(['volume', 'rm', 'apivol']);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toMatch(/volume is in use|in use/);
    const dfv = ok(['system', 'df', '-v']);
    expect(dfv).toMatch(/apivol\s+1\s/);
    expect(ok(['volume', 'prune', '-a', '-f'])).toMatch(/Deleted Volumes:\nothervol\n/);
    ok(['rm', '-f', 'volwriter']);
    expect(ok(['volume', 'rm', 'apivol'])).toBe('apivol\n');
    const gone = docker(['volume', 'inspect', 'apivol']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('no such volume');
  });
});

describe('docker network', () => {
  // a /24 no peer on this shared host is likely to route
  const net = `10.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 250)}`;
  it('creates with IPAM, labels and --internal; lists with filters; inspects', () => {
    const id = ok(['network', 'create', '--subnet', `${net}.0/24`, '--gateway', `${net}.1`, '--label', 'tier=back', '--internal', 'apinet']).trim();
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(ok(['network', 'ls', '--filter', 'label=tier=back', '--format', '{{.Name}} {{.Driver}} {{.Scope}}'])).toBe('apinet bridge local\n');
    expect(ok(['network', 'ls', '--filter', `id=${id.slice(0, 10)}`, '--format', '{{.Name}}'])).toBe('apinet\n');
    expect(ok(['network', 'inspect', '--format', '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}} {{.Internal}} {{.Labels.tier}}', 'apinet'])).toBe(`${net}.0/24 ${net}.1 true back\n`);
    const dup = docker(['network', 'create', 'apinet']);
    expect(dup.code).toBe(1);
    expect(dup.stderr).toContain('apinet');
  });

  it('connects a container with an alias its peers resolve, disconnects it, refuses to remove a used network, prunes', () => {
    ok(['network', 'create', 'frontnet']);
    berthOk(['run', '-d', '--name', 'netsrv', '--network', 'apinet', 'busybox', 'sleep', '300']);
    berthOk(['run', '-d', '--name', 'netpeer', '--network', 'frontnet', 'busybox', 'sleep', '300']);
    ok(['network', 'connect', '--alias', 'db-alias', 'frontnet', 'netsrv']);
    expect(ok(['network', 'inspect', '--format', '{{range .Containers}}{{.Name}} {{end}}', 'frontnet']).split(/\s+/).filter(Boolean).sort()).toEqual(['netpeer', 'netsrv']);
    expect(ok(['exec', 'netpeer', 'cat', '/etc/hosts'])).toMatch(/^\d+\.\d+\.\d+\.\d+\t.*\bdb-alias\b/m);
    ok(['network', 'disconnect', 'frontnet', 'netsrv']);
    expect(ok(['exec', 'netpeer', 'cat', '/etc/hosts'])).not.toContain('db-alias');
    const used = docker(['network', 'rm', 'apinet']);
    expect(used.code).toBe(1);
    expect(used.stderr).toContain('active endpoints');
    ok(['rm', '-f', 'netsrv', 'netpeer']);
    expect(ok(['network', 'prune', '-f'])).toMatch(/Deleted Networks:\n(apinet\nfrontnet|frontnet\napinet)\n/);
    expect(ok(['network', 'ls', '--filter', 'type=custom', '--format', '{{.Name}}'])).toBe('');
  });

  it('refuses what Berth networks cannot do with a clear message', async () => {
    const v6 = docker(['network', 'create', '--ipv6', 'v6net']);
    expect(v6.code).toBe(1);
    expect(v6.stderr).toContain('IPv6');
    const opt = docker(['network', 'create', '-o', 'com.docker.network.bridge.name=br9', 'optnet']);
    expect(opt.code).toBe(1);
    expect(opt.stderr).toContain('driver options (com.docker.network.bridge.name)');
    expect(await apiRequest(d, 'POST', '/v1.43/networks/create', {})).toMatchObject({ status: 400, body: expect.stringContaining('Name is required') });
    expect(await apiRequest(d, 'GET', '/v1.43/networks?filters=%7B%22colour%22%3A%5B%22x%22%5D%7D')).toMatchObject({ status: 400, body: expect.stringContaining("invalid filter 'colour'") });
    expect(await apiRequest(d, 'POST', '/v1.43/networks/nope/connect', { Container: 'x' })).toMatchObject({ status: 404 });
  });
});

describe('docker system df, save/load, image prune', () => {
  it('reports disk usage in Docker\'s table', () => {
    berthOk(['create', '--name', 'dfbox', 'busybox', 'true']);
    const rows = ok(['system', 'df', '--format', '{{.Type}}={{.TotalCount}}/{{.Active}}']).trim().split('\n');
    expect(rows).toEqual(expect.arrayContaining(['Images=1/1', 'Containers=1/0', 'Build Cache=0/0']));
    expect(rows.some((r) => r.startsWith('Local Volumes='))).toBe(true);
    ok(['rm', 'dfbox']);
  });

  it('saves an image to a tar, loads it back after rmi, and runs it', () => {
    const tar = join(d.dir, 'bb.tar');
    ok(['save', '-o', tar, 'busybox:latest']);
    expect(statSync(tar).size).toBeGreaterThan(100_000);
    ok(['rmi', 'busybox:latest']);
    expect(ok(['load', '-i', tar])).toContain('Loaded image: busybox:latest');
    expect(ok(['run', '--rm', 'busybox', 'echo', 'reloaded'])).toBe('reloaded\n');
    const missing = docker(['save', '-o', join(d.dir, 'none.tar'), 'no-such-image']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no-such-image/);
    expect(existsSync(join(d.dir, 'none.tar'))).toBe(false);
    const bad = docker(['load'], 'this is not a tar archive');
    expect(bad.code).toBe(1);
    expect(bad.stderr.length).toBeGreaterThan(0);
  });

  it('prunes dangling images, and with -a every unused one', () => {
    expect(ok(['image', 'prune', '-f'])).toContain('Total reclaimed space');
    ok(['rmi', `${registry.host}/library/busybox:latest`]);
    const all = ok(['image', 'prune', '-a', '-f']);
    expect(all).toMatch(/untagged: busybox:latest/);
    expect(ok(['images', '-q'])).toBe('');
    ok(['pull', `${registry.host}/library/busybox:latest`]);
    ok(['tag', `${registry.host}/library/busybox:latest`, 'busybox:latest']);
  });
});

describe('docker login, push and events', () => {
  it('checks credentials against the registry: 401 for a wrong password, Login Succeeded for the right one', () => {
    const wrong = docker(['login', '-u', 'carol', '--password-stdin', basic.host], 'wrong\n');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/401|unauthorized/i);
    const right = docker(['login', '-u', 'carol', '--password-stdin', basic.host], 'p4ss\n');
    expect(right.code).toBe(0);
    expect(right.stdout).toContain('Login Succeeded');
  });

  it('pushes with the stored credential and reports the digest; the push shows in events', () => {
    const since = Math.floor(Date.now() / 1000) - 1;
    ok(['tag', 'busybox:latest', `${basic.host}/team/bb:v1`]);
    const out = ok(['push', `${basic.host}/team/bb:v1`]);
    expect(out).toContain(`The push refers to repository [${basic.host}/team/bb]`);
    expect(out).toMatch(/v1: digest: sha256:[0-9a-f]{64} size: \d+/);
    const until = Math.floor(Date.now() / 1000) + 1;
    const events = ok(['events', '--since', String(since), '--until', String(until), '--filter', 'type=image', '--format', '{{.Type}} {{.Action}}']);
    expect(events).toContain('image push');
    const noImage = docker(['push', `${basic.host}/team/absent:v1`]);
    expect(noImage.code).toBe(1);
    expect(noImage.stderr).toContain('An image does not exist locally');
  });
});
