// CNI networks end to end: containers on a user network reach each other by
// name and alias, a published port answers on 127.0.0.1, and removal — also
// after a daemon SIGKILL and restart — leaves no veth, netns, IP allocation
// or iptables rule. Traffic stays between the host's loopback and the
// namespaces this test creates.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { ok, loadBusybox, inspectContainer, fetchWhenUp } from '../fixtures/e2e-helpers.js';

let d: TestDaemon;
let www: string;
// A /24 unlikely to be taken by the host or an earlier run.
const octet = 1 + Math.floor(Math.random() * 250);
const SUBNET = `10.252.${octet}.0/24`;

const links = () => execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' });
const natRules = () => execFileSync('iptables-save', [], { encoding: 'utf8' });
const ipamFiles = (net: string) => (existsSync(join(d.root, 'networks/ipam', net)) ? readdirSync(join(d.root, 'networks/ipam', net)).filter((f) => /^\d/.test(f) && !f.startsWith('last_reserved')) : []);
const netnsFiles = () => (existsSync(join(d.execRoot, 'netns')) ? readdirSync(join(d.execRoot, 'netns')) : []);


function hostPort(name: string): number {
  return Number(ok(d.berth(['port', name, '80'])).trim().split(':').pop());
}

/** Nothing of the container is left on the host: veth, netns, IP, iptables rules naming it or its port. */
function expectNoLeak(id: string, net: string, port?: number): void {
  expect(netnsFiles()).not.toContain(id.slice(0, 16));
  expect(ipamFiles(net)).toEqual([]);
  expect(readdirSync(join(d.root, 'networks/cache')).filter((f) => f.includes(id))).toEqual([]);
  const rules = natRules();
  expect(rules).not.toContain(id);
  if (port) expect(rules).not.toMatch(new RegExp(`--dport ${port}\\b`));
  const bridge = JSON.parse(ok(d.berth(['network', 'inspect', net])))[0].Options['com.docker.network.bridge.name'];
  expect(links()).not.toMatch(new RegExp(`master ${bridge}\\b`));
}

beforeAll(async () => {
  d = await startDaemon();
  loadBusybox(d);
  www = join(d.dir, 'www');
  mkdirSync(www);
  writeFileSync(join(www, 'index.html'), 'hello from web\n');
  ok(d.berth(['network', 'create', '--subnet', SUBNET, '--label', 'team=net', 'appnet']));
});

afterAll(async () => {
  if (d) {
    for (const id of ok(d.berth(['ps', '-aq'])).split('\n').filter(Boolean)) d.berth(['rm', '-f', id]);
    for (const n of ['appnet', 'othernet', 'sidenet', 'autonet']) d.berth(['network', 'rm', n]);
    await d.stop();
  }
});

describe('user networks', () => {
  it('network ls and inspect show the network in Docker shape', () => {
    expect(ok(d.berth(['network', 'ls', '--format', '{{.Name}} {{.Driver}}']))).toContain('appnet bridge');
    // host and none are listed as dockerd lists them, and cannot be removed, created or connected to
    expect(ok(d.berth(['network', 'ls', '--format', '{{.Name}} {{.Driver}}'])).split('\n')).toEqual(expect.arrayContaining(['host host', 'none null']));
    const host = JSON.parse(ok(d.berth(['network', 'inspect', 'host'])))[0];
    expect(host).toMatchObject({ Name: 'host', Driver: 'host', Scope: 'local' });
    expect(JSON.parse(ok(d.berth(['network', 'inspect', host.Id.slice(0, 12)])))[0].Name).toBe('host');
    const rm = d.berth(['network', 'rm', 'none']);
    expect(rm.code).toBe(1);
    expect(rm.stderr).toMatch(/none is a pre-defined network and cannot be removed/);
    expect(d.berth(['network', 'create', 'host']).stderr).toMatch(/network with name host already exists/);
    ok(d.berth(['run', '-d', '--name', 'moded', '--network', 'none', 'busybox', 'sleep', '300']));
    expect(Object.values(JSON.parse(ok(d.berth(['network', 'inspect', 'none'])))[0].Containers)).toEqual([expect.objectContaining({ Name: 'moded' })]);
    expect(d.berth(['network', 'connect', 'host', 'moded']).stderr).toMatch(/network host is a network mode .*cannot be connected/);
    ok(d.berth(['rm', '-f', 'moded']));
    const doc = JSON.parse(ok(d.berth(['network', 'inspect', 'appnet'])))[0];
    expect(doc).toMatchObject({ Name: 'appnet', Driver: 'bridge', Scope: 'local', Internal: false, Labels: { team: 'net' } });
    expect(doc.IPAM.Config).toEqual([{ Subnet: SUBNET, Gateway: `10.252.${octet}.1` }]);
  });

  it('one container serves HTTP, another fetches it by name and alias; the published port answers on 127.0.0.1', async () => {
    const id = ok(d.berth(['run', '-d', '--name', 'web', '--network', 'appnet', '--network-alias', 'site', '-p', '127.0.0.1::80', '-v', `${www}:/www:ro`, 'busybox', 'httpd', '-f', '-p', '80', '-h', '/www'])).trim();
    const out = ok(d.berth(['run', '--rm', '--network', 'appnet', '--add-host', 'extra.example:10.9.9.9', 'busybox', 'sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://web/ && break; sleep 0.3; done; wget -qO- http://site/; grep extra /etc/hosts']));
    expect(out).toBe('hello from web\nhello from web\n10.9.9.9\textra.example\n');
    const port = hostPort('web');
    expect(ok(d.berth(['port', 'web']))).toBe(`80/tcp -> 127.0.0.1:${port}\n`);
    const settings = inspectContainer(d, 'web').NetworkSettings;
    expect(settings.IPAddress).toBe(''); // the top-level address is the default bridge's only
    expect(settings.Networks.appnet.IPAddress).toMatch(new RegExp(`^10\\.252\\.${octet}\\.\\d+$`));
    expect(settings.Networks.appnet.Aliases).toEqual(expect.arrayContaining(['site', id.slice(0, 12)]));
    expect(ok(d.berth(['ps', '--filter', 'name=web', '--format', '{{.Networks}} {{.Ports}}']))).toBe(`appnet 127.0.0.1:${port}->80/tcp\n`);
    expect(await fetchWhenUp(`http://127.0.0.1:${port}/`)).toBe('hello from web\n');
    const doc = JSON.parse(ok(d.berth(['network', 'inspect', 'appnet'])))[0];
    expect(doc.Containers[id]).toMatchObject({ Name: 'web' });
    expect(doc.Containers[id].IPv4Address).toMatch(new RegExp(`^10\\.252\\.${octet}\\.\\d+/24$`));
    ok(d.berth(['rm', '-f', 'web']));
    expectNoLeak(id, 'appnet', port);
  });

  it('containers on different networks cannot reach each other; --dns and --dns-search go to resolv.conf', () => {
    ok(d.berth(['network', 'create', 'othernet']));
    const id = ok(d.berth(['run', '-d', '--name', 'lonely', '--network', 'othernet', '-v', `${www}:/www:ro`, 'busybox', 'httpd', '-f', '-p', '80', '-h', '/www'])).trim();
    const ip = (JSON.parse(ok(d.berth(['network', 'inspect', 'othernet'])))[0].Containers[id].IPv4Address as string).split('/')[0];
    const r = d.berth(['run', '--rm', '--network', 'appnet', '--dns', '10.1.2.3', '--dns-search', 'corp.example', 'busybox', 'sh', '-c', `cat /etc/resolv.conf; grep -c lonely /etc/hosts; timeout 3 wget -qO- http://${ip}/ || echo unreachable`]);
    expect(r.stdout).toBe('search corp.example\nnameserver 10.1.2.3\n0\nunreachable\n');
    // the same address answers from a container on othernet
    expect(ok(d.berth(['run', '--rm', '--network', 'othernet', 'busybox', 'wget', '-qO-', `http://${ip}/`]))).toBe('hello from web\n');
    ok(d.berth(['rm', '-f', 'lonely']));
    ok(d.berth(['network', 'rm', 'othernet']));
  });

  it('connect gives a running container a network at once; disconnect cuts it', () => {
    const webId = ok(d.berth(['run', '-d', '--name', 'web2', '--network', 'appnet', '-v', `${www}:/www:ro`, 'busybox', 'httpd', '-f', '-p', '80', '-h', '/www'])).trim();
    ok(d.berth(['network', 'create', 'sidenet']));
    ok(d.berth(['run', '-d', '--name', 'client', '--network', 'sidenet', 'busybox', 'sleep', '600']));
    const ip = (JSON.parse(ok(d.berth(['network', 'inspect', 'appnet'])))[0].Containers[webId].IPv4Address as string).split('/')[0];
    const fetchWeb = () => d.berth(['exec', 'client', 'sh', '-c', `timeout 3 wget -qO- http://${ip}/ || echo cut`]).stdout;
    expect(fetchWeb()).toBe('cut\n');
    ok(d.berth(['network', 'connect', 'appnet', 'client']));
    expect(fetchWeb()).toBe('hello from web\n');
    expect(ok(d.berth(['exec', 'client', 'wget', '-qO-', 'http://web2/']))).toBe('hello from web\n');
    expect(d.berth(['network', 'connect', 'appnet', 'client']).stderr).toMatch(/already exists in network appnet/);
    ok(d.berth(['network', 'disconnect', 'appnet', 'client']));
    expect(fetchWeb()).toBe('cut\n');
    expect(ok(d.berth(['exec', 'client', 'ls', '/sys/class/net'])).split('\n').filter(Boolean).sort()).toEqual(['eth0', 'lo']);
    expect(d.berth(['network', 'disconnect', 'appnet', 'client']).stderr).toMatch(/is not connected to network appnet/);
    ok(d.berth(['rm', '-f', 'client', 'web2']));
    ok(d.berth(['network', 'rm', 'sidenet']));
  });

  it('--network none has only lo; host shares the host namespace; container: joins another container', () => {
    expect(ok(d.berth(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'ls /sys/class/net']))).toBe('lo\n');
    // its loopback is up, as on Docker's none network (runtimes leave it down; the shim brings it up)
    expect(ok(d.berth(['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'cat /sys/class/net/lo/operstate /sys/class/net/lo/flags; ping -c1 -W2 127.0.0.1 >/dev/null && echo reached'])))
      .toMatch(/^unknown\n0x[0-9a-f]*[13579bdf]\nreached\n$/); // IFF_UP is bit 0 of flags
    const hostLinks = readdirSync('/sys/class/net').sort();
    expect(ok(d.berth(['run', '--rm', '--network', 'host', 'busybox', 'ls', '/sys/class/net'])).split('\n').filter(Boolean).sort()).toEqual(hostLinks);
    // on the host's network a container is named like the host, unless --hostname says otherwise
    expect(ok(d.berth(['run', '--rm', '--network', 'host', 'busybox', 'hostname']))).toBe(`${hostname()}\n`);
    expect(ok(d.berth(['run', '--rm', '--network', 'host', '--hostname', 'mine', 'busybox', 'hostname']))).toBe('mine\n');
    // published ports mean nothing on the host's network: discarded with Docker's warning
    const published = d.berth(['run', '--rm', '--network', 'host', '-p', '127.0.0.1::80', 'busybox', 'true']);
    expect(published.code).toBe(0);
    expect(published.stderr).toBe('WARNING: Published ports are discarded when using host network mode\n');
    expect(d.berth(['run', '--rm', '--network', 'none', '-p', '127.0.0.1::80', 'busybox', 'true']).stderr).toMatch(/published ports need a bridge network/);
    // /etc files as Docker's: none has localhost only, host the host's own (plus --add-host), container: shares them
    const none = ok(d.berth(['run', '--rm', '--network', 'none', '--name', 'etcnone', 'busybox', 'sh', '-c', 'cat /etc/hostname; grep -c . /etc/hosts; grep localhost /etc/hosts | head -1']));
    expect(none).toMatch(/^[0-9a-f]{12}\n6\n127\.0\.0\.1\tlocalhost\n$/);
    const onHost = ok(d.berth(['run', '--rm', '--network', 'host', '--add-host', 'extra.example:10.9.9.9', 'busybox', 'sh', '-c', 'cat /etc/hosts; echo ---; cat /etc/hostname']));
    expect(onHost).toBe(`${readFileSync('/etc/hosts', 'utf8').replace(/\n?$/, '\n')}10.9.9.9\textra.example\n---\n${hostname()}\n`);
    const mine = ok(d.berth(['run', '--rm', '-v', `${www}/index.html:/etc/hosts:ro`, 'busybox', 'cat', '/etc/hosts']));
    expect(mine).toBe(readFileSync(join(www, 'index.html'), 'utf8')); // a user's mount wins
    ok(d.berth(['run', '-d', '--name', 'owner', '--network', 'appnet', '-v', `${www}:/www:ro`, 'busybox', 'httpd', '-f', '-p', '80', '-h', '/www']));
    expect(ok(d.berth(['run', '--rm', '--network', 'container:owner', 'busybox', 'sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://127.0.0.1/ && break; sleep 0.3; done']))).toBe('hello from web\n');
    expect(ok(d.berth(['run', '--rm', '--network', 'container:owner', 'busybox', 'cat', '/etc/hostname']))).toBe(`${ok(d.berth(['exec', 'owner', 'hostname']))}`);
    ok(d.berth(['rm', '-f', 'owner']));
  });

  it('run --ip and network connect --ip/--alias give fixed addresses and per-network names', () => {
    const ip = (n: number) => `10.252.${octet}.${n}`;
    const eth = (name: string, dev: string) => ok(d.berth(['exec', name, 'ip', '-4', '-o', 'addr', 'show', dev])).split(/\s+/)[3];
    ok(d.berth(['run', '-d', '--name', 'fixed', '--network', 'appnet', '--ip', ip(200), 'busybox', 'sleep', '600']));
    expect(eth('fixed', 'eth0')).toBe(`${ip(200)}/24`);
    ok(d.berth(['kill', 'fixed']));
    ok(d.berth(['start', 'fixed']));
    expect(eth('fixed', 'eth0')).toBe(`${ip(200)}/24`);
    ok(d.berth(['network', 'create', 'autonet']));
    ok(d.berth(['run', '-d', '--name', 'peer', '--network', 'autonet', 'busybox', 'sleep', '600']));
    ok(d.berth(['network', 'connect', '--alias', 'dbalias', '--ip', ip(201), 'appnet', 'peer']));
    expect(eth('peer', 'eth1')).toBe(`${ip(201)}/24`);
    expect(ok(d.berth(['exec', 'fixed', 'grep', 'dbalias', '/etc/hosts']))).toMatch(new RegExp(`^${ip(201).replace(/\./g, '\\.')}\\t.*\\bdbalias\\n$`));
    // the alias is on appnet only
    expect(d.berth(['exec', 'peer', 'grep', '-c', 'dbalias', '/etc/hosts']).stdout).toBe('0\n');
    ok(d.berth(['network', 'disconnect', 'appnet', 'peer']));
    expect(d.berth(['exec', 'fixed', 'grep', '-c', 'dbalias', '/etc/hosts']).stdout).toBe('0\n');

    const cases: [string[], number, RegExp][] = [
      [['run', '--rm', '--network', 'appnet', '--ip', ip(200), 'busybox', 'true'], 125, /Address already in use/],
      [['run', '--rm', '--network', 'appnet', '--ip', ip(1), 'busybox', 'true'], 125, /Address already in use: .* is the gateway of network appnet/],
      [['run', '--rm', '--network', 'appnet', '--ip', '10.9.9.9', 'busybox', 'true'], 125, /no configured subnet contains the IP address 10\.9\.9\.9: network appnet has/],
      [['run', '--rm', '--network', 'appnet', '--ip', '10.9.9', 'busybox', 'true'], 125, /invalid IP address "10\.9\.9"/],
      [['run', '--rm', '--network', 'autonet', '--ip', ip(9), 'busybox', 'true'], 125, /supported only when connecting to networks with user configured subnets/],
      [['run', '--rm', '--ip', ip(9), 'busybox', 'true'], 125, /--ip needs a user network with a user-configured subnet, not network mode none/],
      [['network', 'connect', '--ip', ip(200), 'appnet', 'peer'], 1, /Address already in use: .* is taken by container/],
      [['network', 'connect', '--alias', 'bad alias', 'appnet', 'peer'], 1, /invalid --alias "bad alias"/],
    ];
    for (const [args, code, msg] of cases) {
      const r = d.berth(args);
      expect(r.code, args.join(' ')).toBe(code);
      expect(r.stderr).toMatch(msg);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    ok(d.berth(['rm', '-f', 'fixed', 'peer']));
    ok(d.berth(['network', 'rm', 'autonet']));
    expect(ipamFiles('appnet')).toEqual([]);
  });
});

describe('crash safety', () => {
  it('after a daemon SIGKILL and restart, a container that died meanwhile leaves nothing behind', async () => {
    const id = ok(d.berth(['run', '-d', '--name', 'crashy', '--network', 'appnet', '-p', '127.0.0.1::80', '-v', `${www}:/www:ro`, 'busybox', 'httpd', '-f', '-p', '80', '-h', '/www'])).trim();
    const port = hostPort('crashy');
    const pid = inspectContainer(d, 'crashy').State.Pid as number;
    await d.kill('SIGKILL');
    process.kill(pid, 'SIGKILL');
    await d.restart();
    for (let i = 0; i < 100 && inspectContainer(d, 'crashy').State.Running; i++) await new Promise((r) => setTimeout(r, 100));
    expect(inspectContainer(d, 'crashy').State.Running).toBe(false);
    expectNoLeak(id, 'appnet', port);
    ok(d.berth(['rm', 'crashy']));
  });

  it('a running container survives a daemon SIGKILL; rm -f afterwards cleans up', async () => {
    const id = ok(d.berth(['run', '-d', '--name', 'survivor', '--network', 'appnet', '-p', '127.0.0.1::80', '-v', `${www}:/www:ro`, 'busybox', 'httpd', '-f', '-p', '80', '-h', '/www'])).trim();
    const port = hostPort('survivor');
    await d.restart();
    expect(await fetchWhenUp(`http://127.0.0.1:${port}/`)).toBe('hello from web\n');
    ok(d.berth(['rm', '-f', 'survivor']));
    expectNoLeak(id, 'appnet', port);
  });
});

describe('bad input', () => {
  it('overlapping subnets, unknown networks, bad specs and taken ports get clear errors', async () => {
    let r = d.berth(['network', 'create', '--subnet', `10.252.${octet}.128/25`, 'clash']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/overlaps with network appnet/);
    r = d.berth(['network', 'create', '--subnet', '127.0.0.0/8', 'clash']);
    expect(r.stderr).toMatch(/overlaps with the host route 127\.0\.0\.0\/8/);
    r = d.berth(['network', 'create', '--subnet', '10.0.0.0/33', 'clash']);
    expect(r.stderr).toMatch(/invalid subnet/);
    r = d.berth(['network', 'create', 'appnet']);
    expect(r.stderr).toMatch(/already exists/);
    r = d.berth(['run', '--rm', '--network', 'nosuchnet', 'busybox', 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/network nosuchnet not found/);
    r = d.berth(['run', '--rm', '--network', 'appnet', '-p', '80:80:80:80', 'busybox', 'true']);
    expect(r.stderr).toMatch(/invalid port spec/);
    r = d.berth(['run', '--rm', '-p', '8080:80', 'busybox', 'true']);
    expect(r.stderr).toMatch(/published ports need a bridge network/);
    r = d.berth(['network', 'rm', 'nosuchnet']);
    expect(r.stderr).toMatch(/not found/);

    const holder = createServer();
    await new Promise<void>((res) => holder.listen(0, '127.0.0.1', res));
    const taken = (holder.address() as { port: number }).port;
    try {
      r = d.berth(['run', '--rm', '--network', 'appnet', '-p', `127.0.0.1:${taken}:80`, 'busybox', 'true']);
      expect(r.code).toBe(125);
      expect(r.stderr).toMatch(/port is already allocated/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      holder.close();
    }
    expect(ipamFiles('appnet')).toEqual([]);
  });

  it('a network in use cannot be removed', () => {
    ok(d.berth(['create', '--name', 'holder', '--network', 'appnet', 'busybox', 'true']));
    const r = d.berth(['network', 'rm', 'appnet']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/has active endpoints \(holder\)/);
    ok(d.berth(['rm', 'holder']));
  });
});
