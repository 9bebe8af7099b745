// The client-side grammar of -v, --mount, -p and --network, and the subnet
// arithmetic the daemon checks networks with.
import { describe, expect, it } from 'vitest';
import { parseMountFlag, parseVolumeFlag } from '../../src/runtime/mount-flags.js';
import { parseNetworkFlag } from '../../cli/commands/container/network-flags.js';
import { exposedMappings, parsePublish } from '../../src/network/ports.js';
import { checkGateway, freeSubnet, overlaps, parseCidr, formatCidr } from '../../src/network/subnet.js';
import { parseAddressPool, parseBip, poolSubnets } from '../../src/network/bridge-config.js';

describe('-v', () => {
  it('tells volumes, binds and anonymous volumes apart', () => {
    expect(parseVolumeFlag('data:/d')).toEqual({ type: 'volume', source: 'data', target: '/d', readonly: false });
    expect(parseVolumeFlag('/host:/d:ro')).toEqual({ type: 'bind', source: '/host', target: '/d', readonly: true, createSource: true });
    expect(parseVolumeFlag('/scratch')).toEqual({ type: 'volume', target: '/scratch', readonly: false });
    expect(parseVolumeFlag('/scratch:rw')).toEqual({ type: 'volume', target: '/scratch', readonly: false });
  });

  it.each(['', 'rel/path', 'a:b', 'a:/b:xx', 'a:/b:ro:extra'])('refuses %j', (spec) => {
    expect(() => parseVolumeFlag(spec)).toThrow(/invalid mount spec/);
  });
});

describe('--mount', () => {
  it('reads Docker fields and their aliases', () => {
    expect(parseMountFlag('type=bind,src=/h,dst=/c,readonly')).toEqual({ type: 'bind', source: '/h', target: '/c', readonly: true });
    expect(parseMountFlag('source=v,target=/c,ro=false')).toEqual({ type: 'volume', source: 'v', target: '/c', readonly: false });
    expect(parseMountFlag('type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=1777')).toEqual({ type: 'tmpfs', target: '/t', tmpfsSize: 1048576, tmpfsMode: 0o1777 });
  });

  it.each([
    ['type=bind,target=/c', /needs source/],
    ['type=tmpfs,source=x,target=/c', /takes no source/],
    ['type=volume,target=/c,tmpfs-size=1m', /for type=tmpfs only/],
    ['type=volume,target=/c,readonly=maybe', /invalid value for readonly/],
    ['type=volume', /target is required/],
    ['type=x,target=/c', /type "x" is not supported/],
  ])('refuses %j', (spec, msg) => {
    expect(() => parseMountFlag(spec)).toThrow(msg);
  });
});

describe('-p and -P', () => {
  it('expands ranges, random host ports and host IPs', () => {
    expect(parsePublish('8080:80')).toEqual([{ hostIP: '', hostPort: 8080, containerPort: 80, protocol: 'tcp' }]);
    expect(parsePublish('127.0.0.1::53/udp')).toEqual([{ hostIP: '127.0.0.1', hostPort: 0, containerPort: 53, protocol: 'udp' }]);
    expect(parsePublish('9000-9001:8000-8001').map((m) => [m.hostPort, m.containerPort])).toEqual([[9000, 8000], [9001, 8001]]);
    expect(exposedMappings(['80/tcp', '53/udp']).map((m) => `${m.containerPort}/${m.protocol}:${m.hostPort}`)).toEqual(['80/tcp:0', '53/udp:0']);
  });

  it.each([['80/icmp', /invalid protocol/], ['70000', /invalid port/], ['9000-9002:80-81', /differ in size/], ['host:80:80', /invalid host IP/], ['1:2:3:4', /invalid port spec/]])(
    'refuses %j',
    (spec, msg) => {
      expect(() => parsePublish(spec)).toThrow(msg);
    },
  );
});

describe('--network', () => {
  it('passes modes and names, refuses empty and malformed values', () => {
    expect(parseNetworkFlag('container:web')).toBe('container:web');
    expect(parseNetworkFlag('my-net')).toBe('my-net');
    expect(() => parseNetworkFlag('')).toThrow(/must not be empty/);
    expect(() => parseNetworkFlag('container:')).toThrow(/needs a container/);
    expect(() => parseNetworkFlag('bad name')).toThrow(/invalid --network/);
  });
});

describe('subnets', () => {
  it('normalises, detects overlap and picks a free one', () => {
    expect(formatCidr(parseCidr('10.1.2.3/24'))).toBe('10.1.2.0/24');
    expect(overlaps(parseCidr('10.0.0.0/8'), parseCidr('10.5.0.0/16'))).toBe(true);
    expect(overlaps(parseCidr('10.1.0.0/24'), parseCidr('10.1.1.0/24'))).toBe(false);
    expect(formatCidr(freeSubnet(['10.1.0.0/24', '10.1.1.0/24'].map(parseCidr), [parseCidr('10.1.0.0/24')]))).toBe('10.1.1.0/24');
    expect(() => freeSubnet([parseCidr('10.1.0.0/24')], [parseCidr('10.0.0.0/8')])).toThrow(/no free subnet/);
  });

  it("address pools: Docker's by default, first free subnet first, a host route skipped", () => {
    const docker = [...poolSubnets([])].map(formatCidr);
    expect(docker.slice(0, 3)).toEqual(['172.17.0.0/16', '172.18.0.0/16', '172.19.0.0/16']);
    expect(docker.filter((c) => c.startsWith('172.')).length).toBe(15);
    expect(docker.slice(15, 17)).toEqual(['192.168.0.0/20', '192.168.16.0/20']);
    const pool = [parseAddressPool('base=10.10.0.0/16,size=24')];
    expect(formatCidr(freeSubnet(poolSubnets(pool), [parseCidr('10.10.0.0/23')]))).toBe('10.10.2.0/24');
    expect(() => freeSubnet(poolSubnets([parseAddressPool('base=10.10.0.0/24,size=24')]), [parseCidr('10.10.0.0/24')])).toThrow(/--default-address-pool/);
  });

  it('--bip and --default-address-pool values', () => {
    expect(parseBip('192.168.5.7/24')).toEqual({ subnet: '192.168.5.0/24', gateway: '192.168.5.7' });
    expect(() => parseBip('192.168.5.255/24')).toThrow(/broadcast address of 192\.168\.5\.0\/24/);
    expect(() => parseBip('192.168.5.1')).toThrow(/with its prefix length/);
    expect(parseAddressPool(' base=10.0.0.0/8 , size=24')).toEqual({ base: parseCidr('10.0.0.0/8'), size: 24 });
    expect(() => parseAddressPool('base=10.0.0.0/8,size=31')).toThrow(/from 8 \(the base's\) to 30/);
    expect(() => parseAddressPool('base=10.0.0.0/33,size=24')).toThrow(/invalid subnet/);
  });

  it('checks gateways against the subnet', () => {
    expect(checkGateway(parseCidr('10.1.0.0/24'), undefined)).toBe('10.1.0.1');
    expect(checkGateway(parseCidr('10.1.0.0/24'), '10.1.0.254')).toBe('10.1.0.254');
    expect(() => checkGateway(parseCidr('10.1.0.0/24'), '10.1.1.1')).toThrow(/inside 10.1.0.0\/24/);
    expect(() => checkGateway(parseCidr('10.1.0.0/24'), '10.1.0.0')).toThrow(/invalid gateway/);
    expect(() => parseCidr('10.0.0.0/31')).toThrow(/invalid subnet/);
  });
});
