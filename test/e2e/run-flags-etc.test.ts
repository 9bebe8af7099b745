// run's /etc, UTS and port flags end to end: --dns-option in the container's
// resolv.conf and HostConfig.DnsOptions; --domainname in the UTS namespace; --annotation in config.json; --expose in Config.ExposedPorts
// (with the image's and -p's ports) and published by -P; bad values refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { inspectContainer, loadBusybox, ok } from '../fixtures/e2e-helpers.js';

let d: TestDaemon;

beforeAll(async () => {
  d = await startDaemon();
  loadBusybox(d);
});

afterAll(async () => {
  await d?.stop();
});

function refused(r: { code: number; stderr: string }, message: string): void {
  expect(r.code).toBe(125);
  expect(r.stderr).toContain(message);
}

describe('--dns-option', () => {
  it('writes the options line of resolv.conf and shows in inspect', () => {
    const out = ok(d.berth(['run', '--name', 'dnsopt', '--dns', '192.0.2.53', '--dns-option', 'ndots:2', '--dns-option', 'timeout:3', 'busybox', 'cat', '/etc/resolv.conf']));
    expect(out.split('\n')).toContain('options ndots:2 timeout:3');
    expect(out.split('\n')).toContain('nameserver 192.0.2.53');
    expect(inspectContainer(d, 'dnsopt').HostConfig.DnsOptions).toEqual(['ndots:2', 'timeout:3']);
    ok(d.berth(['rm', 'dnsopt']));
    refused(d.berth(['run', '--dns-option', 'ndots 2', 'busybox', 'true']), 'invalid --dns-option "ndots 2"');
  });
});

describe('--domainname', () => {
  it('sets the domain name of the container\'s UTS namespace, leaves the host\'s alone, and shows in inspect', () => {
    const hostDomain = readFileSync('/proc/sys/kernel/domainname', 'utf8');
    expect(ok(d.berth(['run', '--name', 'dom', '--domainname', 'example.org', 'busybox', 'cat', '/proc/sys/kernel/domainname']))).toBe('example.org\n');
    expect(readFileSync('/proc/sys/kernel/domainname', 'utf8')).toBe(hostDomain);
    expect(inspectContainer(d, 'dom').Config.Domainname).toBe('example.org');
    ok(d.berth(['rm', 'dom']));
    refused(d.berth(['run', '--domainname', 'bad name', 'busybox', 'true']), 'invalid domainname "bad name"');
    refused(d.berth(['run', '--domainname', 'example.org', '--uts', 'host', 'busybox', 'true']), 'Conflicting options: --domainname and --uts host');
  });
});

describe('--annotation', () => {
  it('writes OCI annotations to the container\'s config.json and HostConfig.Annotations', () => {
    const id = ok(d.berth(['run', '-d', '--annotation', 'com.example.team=db', '--annotation', 'empty=', 'busybox', 'true'])).trim();
    ok(d.berth(['wait', id]));
    const config = JSON.parse(readFileSync(join(d.root, 'containers', id, 'config.json'), 'utf8'));
    expect(config.annotations).toEqual({ 'com.example.team': 'db', empty: '' });
    expect(inspectContainer(d, id).HostConfig.Annotations).toEqual({ 'com.example.team': 'db', empty: '' });
    ok(d.berth(['rm', id]));
    refused(d.berth(['run', '--annotation', 'novalue', 'busybox', 'true']), 'invalid --annotation "novalue": expected KEY=VALUE');
  });
});

describe('--expose', () => {
  it('adds to Config.ExposedPorts with -p\'s container ports; bad specs are refused', () => {
    ok(d.berth(['create', '--name', 'exposer', '--expose', '80', '--expose', '9000-9001/udp', 'busybox', 'true']));
    expect(Object.keys(inspectContainer(d, 'exposer').Config.ExposedPorts)).toEqual(['80/tcp', '9000/udp', '9001/udp']);
    ok(d.berth(['rm', 'exposer']));
    expect(inspectContainer(d, ok(d.berth(['create', 'busybox', 'true'])).trim()).Config.ExposedPorts).toBeUndefined();
    refused(d.berth(['run', '--expose', '8080:80', 'busybox', 'true']), 'invalid --expose "8080:80"');
    refused(d.berth(['run', '--expose', '70000', 'busybox', 'true']), 'invalid port "70000"');
  });

  it('-P publishes the --expose ports on a user network', () => {
    const octet = 1 + Math.floor(Math.random() * 250);
    ok(d.berth(['network', 'create', '--subnet', `10.248.${octet}.0/24`, 'exposenet']));
    ok(d.berth(['run', '-d', '--name', 'pub', '--network', 'exposenet', '--expose', '80', '-P', '-p', '127.0.0.1::81', 'busybox', 'sleep', '300']));
    const ports = ok(d.berth(['port', 'pub'])).trim().split('\n').sort();
    expect(ports).toHaveLength(2);
    expect(ports[0]).toMatch(/^80\/tcp -> 0\.0\.0\.0:\d+$/);
    expect(ports[1]).toMatch(/^81\/tcp -> 127\.0\.0\.1:\d+$/);
    expect(Object.keys(inspectContainer(d, 'pub').Config.ExposedPorts)).toEqual(['80/tcp', '81/tcp']);
    ok(d.berth(['rm', '-f', 'pub']));
    ok(d.berth(['network', 'rm', 'exposenet']));
  });
});
