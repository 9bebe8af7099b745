// The default bridge network end to end, on a daemon run as in production
// (no --bridge none): a container without --network gets an address on eth0
// from the daemon's --bip subnet, its published port answers on 127.0.0.1,
// the network has no name resolution and refuses aliases and static IPs,
// cannot be removed, and nothing is left after rm -f or a daemon SIGKILL.
// Then the daemon flags: --bridge none, bad --bip/--default-address-pool,
// and a pool's subnet for new networks. Traffic stays between the host's
// loopback and the namespaces this test creates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { ok, loadBusybox, inspectContainer, fetchWhenUp } from '../fixtures/e2e-helpers.js';

let d: TestDaemon;
let www: string;
// a /24 unlikely to be taken by the host or an earlier run
const octet = 1 + Math.floor(Math.random() * 250);
const BIP = `10.249.${octet}.1/24`;
const DAEMON_JS = join(import.meta.dirname, '../../dist/src/daemon/main.js');

const netnsFiles = () => (existsSync(join(d.execRoot, 'netns')) ? readdirSync(join(d.execRoot, 'netns')) : []);
const ipamFiles = () => {
  const dir = join(d.root, 'networks/ipam/bridge');
  return existsSync(dir) ? readdirSync(dir).filter((f) => /^\d/.test(f)) : [];
};
const bridgeDoc = () => JSON.parse(ok(d.berth(['network', 'inspect', 'bridge'])))[0];


function expectNoLeak(id: string, port: number): void {
  expect(netnsFiles()).not.toContain(id.slice(0, 16));
  expect(ipamFiles()).toEqual([]);
  expect(readdirSync(join(d.root, 'networks/cache')).filter((f) => f.includes(id))).toEqual([]);
  const rules = execFileSync('iptables-save', [], { encoding: 'utf8' });
  expect(rules).not.toContain(id);
  expect(rules).not.toMatch(new RegExp(`--dport ${port}\\b`));
  expect(execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' })).not.toMatch(new RegExp(`master ${bridgeDoc().Options['com.docker.network.bridge.name']}\\b`));
}

function runWeb(name: string): { id: string; port: number } {
  const id = ok(d.berth(['run', '-d', '--name', name, '-p', '127.0.0.1::80', '-v', `${www}:/www:ro`, 'busybox', 'httpd', '-f', '-p', '80', '-h', '/www'])).trim();
  return { id, port: Number(ok(d.berth(['port', name, '80'])).trim().split(':').pop()) };
}

beforeAll(async () => {
  d = await startDaemon(['--bip', BIP]);
  loadBusybox(d);
  www = join(d.dir, 'www');
  mkdirSync(www);
  writeFileSync(join(www, 'index.html'), 'hello from the default bridge\n');
});

afterAll(async () => {
  if (d) {
    for (const id of ok(d.berth(['ps', '-aq'])).split('\n').filter(Boolean)) d.berth(['rm', '-f', id]);
    const dev = bridgeDoc().Options['com.docker.network.bridge.name'];
    await d.stop();
    spawnSync('ip', ['link', 'del', dev]);
  }
});

describe('the default bridge network', () => {
  it('exists from daemon start with the --bip subnet and is listed like a predefined network', () => {
    expect(ok(d.berth(['network', 'ls', '--format', '{{.Name}} {{.Driver}}']))).toContain('bridge bridge');
    expect(bridgeDoc().IPAM.Config).toEqual([{ Subnet: `10.249.${octet}.0/24`, Gateway: `10.249.${octet}.1` }]);
  });

  it('a container without --network gets eth0 on it; its published port answers on 127.0.0.1; rm -f leaves nothing', async () => {
    const { id, port } = runWeb('web');
    const addr = ok(d.berth(['exec', 'web', 'sh', '-c', 'ip -4 -o addr show eth0'])).split(/\s+/)[3];
    expect(addr).toMatch(new RegExp(`^10\\.249\\.${octet}\\.\\d+/24$`));
    expect(bridgeDoc().Containers[id]).toMatchObject({ Name: 'web', IPv4Address: addr });
    // inspect and ps show the address, the network and the published port, as Docker's do
    const ip = addr.split('/')[0];
    const doc = inspectContainer(d, 'web');
    expect(doc.NetworkSettings).toMatchObject({ IPAddress: ip, Ports: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: String(port) }] } });
    expect(doc.NetworkSettings.Networks.bridge).toMatchObject({ IPAddress: ip, IPPrefixLen: 24, Gateway: `10.249.${octet}.1` });
    expect(ok(d.berth(['ps', '--filter', 'name=web', '--format', '{{.Networks}}|{{.Ports}}']))).toBe(`bridge|127.0.0.1:${port}->80/tcp\n`);
    expect(ok(d.berth(['ps', '--filter', 'name=web']))).toContain(`127.0.0.1:${port}->80/tcp`);
    expect(await fetchWhenUp(`http://127.0.0.1:${port}/`)).toBe('hello from the default bridge\n');
    ok(d.berth(['rm', '-f', 'web']));
    expectNoLeak(id, port);
  });

  it('has no name resolution between containers, but addresses work', () => {
    const { id } = runWeb('quiet');
    const ip = (bridgeDoc().Containers[id].IPv4Address as string).split('/')[0];
    const out = ok(d.berth(['run', '--rm', 'busybox', 'sh', '-c', `grep -c quiet /etc/hosts; for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://${ip}/ && break; sleep 0.3; done`]));
    expect(out).toBe('0\nhello from the default bridge\n');
    ok(d.berth(['rm', '-f', 'quiet']));
  });

  it('refuses --network-alias, --ip and removal, like Docker', () => {
    let r = d.berth(['run', '--rm', '--network-alias', 'x', 'busybox', 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/network-scoped alias is supported only for containers in user defined networks/);
    r = d.berth(['run', '--rm', '--network', 'bridge', '--ip', `10.249.${octet}.50`, 'busybox', 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/user specified IP address is supported on user defined networks only/);
    r = d.berth(['network', 'rm', 'bridge']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bridge is a pre-defined network and cannot be removed/);
    r = d.berth(['network', 'create', 'bridge']);
    expect(r.stderr).toMatch(/reserved for the predefined default bridge network/);
    expect(ok(d.berth(['network', 'prune', '-f']))).not.toMatch(/bridge/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('after a daemon SIGKILL and restart, a container that died meanwhile leaves nothing behind', async () => {
    const { id, port } = runWeb('crashy');
    const pid = inspectContainer(d, 'crashy').State.Pid as number;
    await d.kill('SIGKILL');
    process.kill(pid, 'SIGKILL');
    await d.restart();
    for (let i = 0; i < 100 && inspectContainer(d, 'crashy').State.Running; i++) await new Promise((r) => setTimeout(r, 100));
    expect(inspectContainer(d, 'crashy').State.Running).toBe(false);
    expectNoLeak(id, port);
    ok(d.berth(['rm', 'crashy']));
  });
});

describe('daemon bridge flags', () => {
  const badStart = (args: string[]) => spawnSync(process.execPath, [DAEMON_JS, ...args], { encoding: 'utf8', timeout: 20_000 });

  it('bad --bip, --default-address-pool and --bridge values stop the daemon with a clear message', () => {
    const cases: [string[], RegExp][] = [
      [['--bip', '10.1.2.0/24'], /--bip 10\.1\.2\.0\/24: 10\.1\.2\.0 is the network address of 10\.1\.2\.0\/24; give a host address such as 10\.1\.2\.1\/24/],
      [['--bip', 'nonsense'], /flag --bip takes the bridge's address with its prefix length/],
      [['--default-address-pool', 'base=10.10.0.0/16'], /needs both base=CIDR and size=N/],
      [['--default-address-pool', 'base=10.10.0.0/16,size=8'], /size 8 must be a prefix length from 16/],
      [['--default-address-pool', 'bas=10.10.0.0/16,size=24'], /"bas=10\.10\.0\.0\/16" is not one of those/],
      [['--bridge', 'br7'], /flag --bridge takes only "none"/],
      [['--bridge', 'none', '--bip', '10.1.2.1/24'], /--bridge none and --bip cannot be combined/],
    ];
    for (const [args, msg] of cases) {
      const r = badStart(args);
      expect(r.status, args.join(' ')).not.toBe(0);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('without --bip the default bridge takes the first free pool subnet; a new --bip moves it at restart', async () => {
    const n = await startDaemon(['--default-address-pool', `base=10.247.${octet}.0/24,size=26`], { defaultBridge: true });
    try {
      const subnet = () => JSON.parse(ok(n.berth(['network', 'inspect', 'bridge'])))[0].IPAM.Config[0];
      expect(subnet()).toEqual({ Subnet: `10.247.${octet}.0/26`, Gateway: `10.247.${octet}.1` });
      ok(n.berth(['network', 'create', 'u1']));
      expect(JSON.parse(ok(n.berth(['network', 'inspect', 'u1'])))[0].IPAM.Config[0].Subnet).toBe(`10.247.${octet}.64/26`);
      await n.restart(['--bip', `10.246.${octet}.9/24`]);
      expect(subnet()).toEqual({ Subnet: `10.246.${octet}.0/24`, Gateway: `10.246.${octet}.9` });
      expect(JSON.parse(ok(n.berth(['network', 'inspect', 'u1'])))[0].IPAM.Config[0].Subnet).toBe(`10.247.${octet}.64/26`);
    } finally {
      n.berth(['network', 'rm', 'u1']);
      await n.stop();
    }
  });

  it('--bridge none: containers default to none and the bridge network does not exist', async () => {
    const n = await startDaemon(['--bridge', 'none', '--default-address-pool', `base=10.248.${octet}.0/24,size=28`]);
    try {
      loadBusybox(n);
      expect(ok(n.berth(['run', '--rm', 'busybox', 'ls', '/sys/class/net']))).toBe('lo\n');
      const r = n.berth(['run', '--rm', '--network', 'bridge', 'busybox', 'true']);
      expect(r.code).toBe(125);
      expect(r.stderr).toMatch(/network bridge not found: the daemon runs with --bridge none/);
      expect(ok(n.berth(['network', 'ls', '--format', '{{.Name}}']))).not.toMatch(/^bridge$/m);
      // new networks take their subnets from the pool, first free first
      ok(n.berth(['network', 'create', 'p1']));
      ok(n.berth(['network', 'create', 'p2']));
      const subnets = ['p1', 'p2'].map((x) => JSON.parse(ok(n.berth(['network', 'inspect', x])))[0].IPAM.Config[0].Subnet);
      expect(subnets).toEqual([`10.248.${octet}.0/28`, `10.248.${octet}.16/28`]);
    } finally {
      for (const x of ['p1', 'p2']) n.berth(['network', 'rm', x]);
      await n.stop();
    }
  });
});
