// The Docker Engine API's container endpoints (issue 9, part A) driven by the
// real docker CLI: HostConfig of `docker run` (mounts, ports, resources,
// security), cp both ways, diff, export, commit, update, stats, run -it, and
// fields Berth refuses. Traffic stays on 127.0.0.1 and in the test's own
// network namespaces (a user network with a random /24).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { request, type IncomingHttpHeaders } from 'node:http';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { loadBusybox, ok as berthOk, fetchWhenUp } from '../fixtures/e2e-helpers.js';
import { dockerCli, type DockerCli } from '../fixtures/docker-cli.js';
import { cgroupPathsOf, type CgroupPaths } from '../../src/runtime/cgroup-files.js';

let d: TestDaemon;
let docker: DockerCli;
const octet = 1 + Math.floor(Math.random() * 250);

beforeAll(async () => {
  d = await startDaemon();
  loadBusybox(d);
  docker = dockerCli(d);
  berthOk(d.berth(['network', 'create', '--subnet', `10.253.${octet}.0/24`, 'apinet']));
}, 120_000);

afterAll(async () => {
  if (d) {
    for (const id of d.berth(['ps', '-aq']).stdout.split('\n').filter(Boolean)) d.berth(['rm', '-f', id]);
    d.berth(['network', 'rm', 'apinet']);
    await d.stop();
  }
});

const ok = (args: string[], input?: string) => docker.ok(args, input);
const inspect = (name: string) => JSON.parse(ok(['inspect', name]))[0];

function cgroupFile(p: CgroupPaths, controller: string, v1File: string, v2File: string): string {
  const v1 = p.v1.get(controller);
  if (v1 && existsSync(join(v1, v1File))) return readFileSync(join(v1, v1File), 'utf8').trim();
  if (p.v2 && existsSync(join(p.v2, v2File))) return readFileSync(join(p.v2, v2File), 'utf8').trim();
  throw new Error(`neither ${controller}/${v1File} nor ${v2File} exists`);
}

/** The effective capability mask of a shell in the container. */
function capEff(out: string): bigint {
  return BigInt(`0x${/CapEff:\s*([0-9a-f]+)/.exec(out)![1]}`);
}
const CAP_CHOWN = 1n;
const CAP_SYS_ADMIN = 1n << 21n;


function api(method: string, path: string, body?: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: docker.socket, agent: false, path, method, headers: body ? { 'Content-Type': 'application/json' } : {} }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', (e) => reject(new Error(`${method} ${path}: ${e.message}`)));
    req.end(body);
  });
}

/** Every document of a streamed stats reply, up to its end. */
function statsToEnd(name: string): Promise<any[]> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: docker.socket, agent: false, path: `/v1.43/containers/${name}/stats` }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve(text.split('\n').filter(Boolean).map((l) => JSON.parse(l))));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The first `n` documents of a streamed stats reply, then the connection is closed. */
function statsStream(name: string, n: number): Promise<any[]> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: docker.socket, agent: false, path: `/v1.43/containers/${name}/stats?stream=1` }, (res) => {
      let text = '';
      res.on('data', (c) => {
        text += c;
        const lines = text.split('\n').filter(Boolean);
        if (text.endsWith('\n') && lines.length >= n) {
          req.destroy();
          resolve(lines.slice(0, n).map((l) => JSON.parse(l)));
        }
      });
      res.on('end', () => reject(new Error(`the stream ended early: ${text}`)));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('docker run HostConfig', () => {
  it('mounts a bind (-v), a named volume and a --mount tmpfs', () => {
    const host = join(d.dir, 'bind-src');
    mkdirSync(host);
    writeFileSync(join(host, 'in.txt'), 'from host\n');
    const out = ok(['run', '--rm', '-v', `${host}:/h`, '-v', 'apivol:/data', '--mount', 'type=tmpfs,target=/scratch',
      'busybox', 'sh', '-c', 'cat /h/in.txt; echo written > /h/out.txt; echo kept > /data/f; grep -c " /scratch tmpfs" /proc/mounts']);
    expect(out).toBe('from host\n1\n');
    expect(readFileSync(join(host, 'out.txt'), 'utf8')).toBe('written\n');
    expect(ok(['run', '--rm', '-v', 'apivol:/data:ro', 'busybox', 'sh', '-c', 'cat /data/f; touch /data/g 2>/dev/null || echo read-only'])).toBe('kept\nread-only\n');
    ok(['create', '--name', 'binds', '-v', `${host}:/h:ro`, '-v', 'apivol:/data', 'busybox', 'true']);
    const doc = inspect('binds');
    expect([...doc.HostConfig.Binds].sort()).toEqual([`${host}:/h:ro`, 'apivol:/data'].sort());
    expect(doc.Mounts).toEqual(expect.arrayContaining([expect.objectContaining({ Type: 'bind', Source: host, Destination: '/h', RW: false })]));
    ok(['rm', 'binds']);
  });

  it('publishes -p 127.0.0.1::80 on a user network; docker port and the host reach busybox httpd', async () => {
    const www = join(d.dir, 'www');
    mkdirSync(www);
    writeFileSync(join(www, 'index.html'), 'hello through the api\n');
    ok(['run', '-d', '--name', 'web', '--network', 'apinet', '--network-alias', 'site', '--add-host', 'extra.example:10.9.9.9', '--dns', '10.1.2.3',
      '-p', '127.0.0.1::80', '-v', `${www}:/www:ro`, 'busybox', 'httpd', '-f', '-p', '80', '-h', '/www']);
    const mapping = ok(['port', 'web', '80']).trim();
    expect(mapping).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(await fetchWhenUp(`http://${mapping}/`)).toBe('hello through the api\n');
    expect(ok(['ps', '--filter', 'name=web', '--format', '{{.Names}} {{.Ports}}']).trim()).toBe(`web ${mapping}->80/tcp`);
    const hc = inspect('web').HostConfig;
    expect(hc).toMatchObject({ NetworkMode: 'apinet', PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] }, ExtraHosts: ['extra.example:10.9.9.9'], Dns: ['10.1.2.3'] });
    expect(ok(['run', '--rm', '--network', 'apinet', 'busybox', 'sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://site/ && break; sleep 0.3; done'])).toBe('hello through the api\n');
    ok(['rm', '-f', 'web']);
  });

  it('applies --memory and --cpus: inspect and the cgroup agree', async () => {
    ok(['run', '-d', '--name', 'limited', '--memory', '64m', '--cpus', '0.5', '--pids-limit', '50', '--ulimit', 'nofile=512:1024', 'busybox', 'sleep', '300']);
    const doc = inspect('limited');
    expect(doc.HostConfig).toMatchObject({ Memory: 64 * 1024 * 1024, NanoCpus: 500_000_000, PidsLimit: 50, Ulimits: [{ Name: 'nofile', Soft: 512, Hard: 1024 }] });
    const cg = await cgroupPathsOf(doc.State.Pid);
    expect(Number(cgroupFile(cg, 'memory', 'memory.limit_in_bytes', 'memory.max'))).toBe(64 * 1024 * 1024);
    expect(cgroupFile(cg, 'cpu', 'cpu.cfs_quota_us', 'cpu.max').split(' ')[0]).toBe('50000');
    expect(cgroupFile(cg, 'pids', 'pids.max', 'pids.max')).toBe('50');
    expect(ok(['exec', 'limited', 'sh', '-c', 'ulimit -n'])).toBe('512\n');
  });

  it('docker update changes the limits of the running container', async () => {
    ok(['update', '--memory', '128m', '--memory-swap', '256m', '--cpus', '1', '--restart', 'on-failure:3', 'limited']);
    const doc = inspect('limited');
    expect(doc.HostConfig).toMatchObject({ Memory: 128 * 1024 * 1024, MemorySwap: 256 * 1024 * 1024, NanoCpus: 1e9, RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } });
    const cg = await cgroupPathsOf(doc.State.Pid);
    expect(Number(cgroupFile(cg, 'memory', 'memory.limit_in_bytes', 'memory.max'))).toBe(128 * 1024 * 1024);
    expect(cgroupFile(cg, 'cpu', 'cpu.cfs_quota_us', 'cpu.max').split(' ')[0]).toBe('100000');
    const bad = docker.run(['update', '--memory', '1m', 'limited']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Minimum memory limit allowed is 6MB');
  });

  it('docker stats --no-stream prints the memory limit, the pids and a CPU figure', () => {
    ok(['exec', '-d', 'limited', 'sh', '-c', 'while :; do :; done']);
    const line = ok(['stats', '--no-stream', '--format', '{{.Name}}|{{.CPUPerc}}|{{.MemUsage}}|{{.PIDs}}', 'limited']).trim();
    const [name, cpu, mem, pids] = line.split('|');
    expect(name).toBe('limited');
    expect(Number(cpu.replace('%', ''))).toBeGreaterThan(1);
    expect(mem).toMatch(/ \/ 128MiB$/);
    expect(Number(pids)).toBe(2); // sleep and the exec's shell
    const all = ok(['stats', '--no-stream', '--format', '{{.Name}}']);
    expect(all.split('\n')).toContain('limited');
  });

  it('streams one stats sample a second until the client closes', async () => {
    const lines = await statsStream('limited', 2);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ name: '/limited', memory_stats: { limit: 128 * 1024 * 1024 }, pids_stats: { current: 2 }, cpu_stats: { online_cpus: expect.any(Number) } });
    expect(lines[1].precpu_stats.cpu_usage.total_usage).toBe(lines[0].cpu_stats.cpu_usage.total_usage);
    expect(lines[1].preread).toBe(lines[0].read);
    ok(['rm', '-f', 'limited']);
    expect(await api('GET', '/v1.43/containers/limited/stats?stream=0')).toMatchObject({ status: 404 });
  });

  it('ends a stats stream when the container stops', async () => {
    ok(['run', '-d', '--name', 'brief', 'busybox', 'sleep', '2']);
    const docs = await statsToEnd('brief');
    expect(docs.length).toBeGreaterThanOrEqual(1);
    expect(docs[0]).toMatchObject({ name: '/brief' });
    expect(ok(['inspect', '-f', '{{.State.Status}}', 'brief']).trim()).toBe('exited');
    ok(['rm', 'brief']);
  });

  it('--privileged gives every capability, --cap-drop takes one away, exec --privileged too', () => {
    const base = capEff(ok(['run', '--rm', 'busybox', 'grep', 'CapEff', '/proc/self/status']));
    expect(base & CAP_SYS_ADMIN).toBe(0n);
    expect(base & CAP_CHOWN).toBe(CAP_CHOWN);
    const priv = capEff(ok(['run', '--rm', '--privileged', 'busybox', 'grep', 'CapEff', '/proc/self/status']));
    expect(priv & CAP_SYS_ADMIN).toBe(CAP_SYS_ADMIN);
    expect(inspect(ok(['create', '--privileged', 'busybox', 'true']).trim()).HostConfig.Privileged).toBe(true);
    const dropped = docker.run(['run', '--rm', '--cap-drop', 'CHOWN', 'busybox', 'sh', '-c', 'grep CapEff /proc/self/status; chown 1 /tmp']);
    expect(dropped.code).toBe(1);
    expect(capEff(dropped.stdout) & CAP_CHOWN).toBe(0n);
    ok(['run', '-d', '--name', 'execpriv', '--cap-drop', 'CHOWN', 'busybox', 'sleep', '300']);
    expect(capEff(ok(['exec', 'execpriv', 'grep', 'CapEff', '/proc/self/status'])) & CAP_CHOWN).toBe(0n);
    expect(capEff(ok(['exec', '--privileged', 'execpriv', 'grep', 'CapEff', '/proc/self/status'])) & CAP_SYS_ADMIN).toBe(CAP_SYS_ADMIN);
    ok(['rm', '-f', 'execpriv']);
  });

  it('--read-only refuses writes except to a --tmpfs', () => {
    const r = docker.run(['run', '--rm', '--read-only', '--tmpfs', '/run:size=1m', 'busybox', 'sh', '-c', 'echo ok > /run/x && cat /run/x; touch /etc/x']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('ok\n');
    expect(r.stderr).toContain('Read-only file system');
  });

  it('refuses what Berth does not have with a clear message, and the daemon lives on', () => {
    const sec = docker.run(['run', '--rm', '--security-opt', 'apparmor=my-profile', 'busybox', 'true']);
    expect(sec.code).toBe(125);
    expect(sec.stderr).toMatch(/apparmor=my-profile.*(AppArmor is not enabled on this host|Berth does not apply AppArmor profiles)/);
    const sysctl = docker.run(['run', '--rm', '--network', 'host', '--sysctl', 'net.ipv4.ip_forward=1', 'busybox', 'true']);
    expect(sysctl.code).toBe(125);
    expect(sysctl.stderr).toContain('sysctl "net.ipv4.ip_forward" is not allowed with --network host');
    // what the daemon now takes from HostConfig: devices, /dev/shm size, namespaced sysctls
    expect(ok(['run', '--rm', '--device', '/dev/null:/dev/xnull', '--shm-size', '2m', '--sysctl', 'kernel.shmmni=1234', 'busybox', 'sh', '-c',
      'echo x > /dev/xnull && df -k /dev/shm | tail -1 | awk "{print \\$2}"; cat /proc/sys/kernel/shmmni'])).toBe('2048\n1234\n');
    const bind = docker.run(['run', '--rm', '-v', 'relative/path:/x', 'busybox', 'true']);
    expect(bind.code).toBe(125);
    expect(bind.stderr).not.toMatch(/\n\s+at /);
    expect(ok(['run', '--rm', '--security-opt', 'no-new-privileges', 'busybox', 'echo', 'fine'])).toBe('fine\n');
  });
});

describe('docker cp, diff, export, commit', () => {
  it('copies files and directories both ways, and answers a missing path with an error', () => {
    ok(['run', '-d', '--name', 'files', 'busybox', 'sh', '-c', 'mkdir -p /srv/d && echo inner > /srv/d/a.txt && rm /bin/true && sleep 300']);
    const dir = join(d.dir, 'cp');
    mkdirSync(dir);
    writeFileSync(join(dir, 'up.txt'), 'uploaded\n');
    ok(['cp', join(dir, 'up.txt'), 'files:/tmp/']);
    expect(ok(['exec', 'files', 'cat', '/tmp/up.txt'])).toBe('uploaded\n');
    for (let i = 0; i < 50 && docker.run(['exec', 'files', 'test', '-f', '/srv/d/a.txt']).code !== 0; i++) spawnSync('sleep', ['0.1']);
    ok(['cp', 'files:/srv/d', join(dir, 'down')]);
    expect(readFileSync(join(dir, 'down', 'a.txt'), 'utf8')).toBe('inner\n');
    ok(['cp', 'files:/srv/d/a.txt', dir]);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('inner\n');
    const missing = docker.run(['cp', 'files:/no/such/file', dir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('Could not find the file /no/such/file');
    ok(['cp', join(dir, 'up.txt'), 'files:/srv/d']);
    expect(ok(['exec', 'files', 'cat', '/srv/d/up.txt'])).toBe('uploaded\n');
    // a file may not replace a directory (the CLI asks for noOverwriteDirNonDir)
    writeFileSync(join(dir, 'd'), 'not a dir\n');
    const clash = docker.run(['cp', join(dir, 'd'), 'files:/srv/']);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toContain('cannot overwrite directory "d"');
    expect(ok(['exec', 'files', 'cat', '/srv/d/a.txt'])).toBe('inner\n');
  });

  it('archive HEAD carries the path stat header; bad requests get Docker statuses', async () => {
    const head = await api('HEAD', '/v1.43/containers/files/archive?path=/srv/d');
    expect(head.status).toBe(200);
    const st = JSON.parse(Buffer.from(String(head.headers['x-docker-container-path-stat']), 'base64').toString());
    expect(st).toMatchObject({ name: 'd', linkTarget: '' });
    expect(st.mode).toBe(2 ** 31 + 0o755);
    expect((await api('HEAD', '/v1.43/containers/files/archive?path=/nope')).status).toBe(404);
    expect(await api('GET', '/v1.43/containers/files/archive')).toMatchObject({ status: 400, body: expect.stringContaining('path query parameter is required') });
    expect(await api('PUT', '/v1.43/containers/files/archive?path=/no/dir', 'not a tar')).toMatchObject({ status: 404, body: expect.stringContaining('Could not find the file /no/dir') });
    expect(await api('POST', '/v1.43/commit')).toMatchObject({ status: 400, body: expect.stringContaining('container query parameter is required') });
    expect(await api('POST', '/v1.43/containers/files/update', JSON.stringify({ BlkioWeight: 300 }))).toMatchObject({ status: 501, body: expect.stringContaining('HostConfig.BlkioWeight') });
  });

  it('docker diff lists the changes', () => {
    const lines = ok(['diff', 'files']).trim().split('\n');
    expect(lines).toEqual(expect.arrayContaining(['A /srv', 'A /srv/d/a.txt', 'C /bin', 'D /bin/true', 'A /tmp/up.txt']));
  });

  it('docker export streams the file system as a tar', () => {
    const tarFile = join(d.dir, 'files.tar');
    ok(['export', '-o', tarFile, 'files']);
    const names = execFileSync('tar', ['tf', tarFile], { encoding: 'utf8' }).split('\n');
    expect(names).toEqual(expect.arrayContaining(['srv/d/a.txt', 'tmp/up.txt', 'bin/busybox']));
    expect(names).not.toContain('bin/true');
    const r = docker.run(['export', 'no-such-container']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No such container');
  });

  it('docker commit makes an image that runs with the changes', () => {
    const id = ok(['commit', '--change', 'CMD ["cat", "/srv/d/a.txt"]', '--author', 'api test', '-m', 'from the api', 'files', 'committed:v1']).trim();
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(ok(['run', '--rm', 'committed:v1'])).toBe('inner\n');
    const img = JSON.parse(ok(['image', 'inspect', 'committed:v1']))[0];
    expect(img.Author).toBe('api test');
    expect(img.Config.Cmd).toEqual(['cat', '/srv/d/a.txt']);
    ok(['rm', '-f', 'files']);
  });
});

describe('docker run -it', () => {
  it('runs a shell on a terminal through a pty', async () => {
    // `script` gives docker a terminal; its stdin stays open (nothing typed) until docker exits
    const p = spawn('script', ['-qec', "docker run -it --rm busybox sh -c 'tty; test -t 0 && echo in-a-tty; exit 7'", '/dev/null'], { env: docker.env });
    let out = '';
    p.stdout.on('data', (c) => (out += c));
    const code = await new Promise<number | null>((resolve) => p.on('exit', resolve));
    p.stdin.end();
    expect(out.replace(/\r/g, '')).toContain('/dev/pts/0\nin-a-tty\n');
    expect(code).toBe(7);
  });
});
