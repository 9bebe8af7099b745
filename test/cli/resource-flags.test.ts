// Parsing of run/create's resource and security flags (client side, --device too), the
// daemon's checks of the values, the capability arithmetic and the OCI
// config they produce.
import { describe, expect, it } from 'vitest';
import { parseBytes, parseCpus, parseTmpfs, parseUlimit, toHostOptions } from '../../cli/commands/container/resource-flags.js';
import { toCreateParams } from '../../cli/commands/container/run-options.js';
import { parseDevice } from '../../cli/commands/container/security-flags.js';
import { checkHostOptions, parseCpuList } from '../../src/runtime/host-options.js';
import { capabilitySet, DEFAULT_CAPABILITIES, hostBoundingSet, ALL_CAPABILITIES } from '../../src/runtime/capabilities.js';
import { ociResources, tmpfsMounts } from '../../src/runtime/resources.js';
import { hostParams } from '../../src/daemon/host-params.js';

describe('sizes (Docker RAMInBytes)', () => {
  it('takes binary units with or without b, any case', () => {
    expect(parseBytes('1048576', '-m')).toBe(1048576);
    expect(parseBytes('512m', '-m')).toBe(512 * 1024 ** 2);
    expect(parseBytes('1.5g', '-m')).toBe(1.5 * 1024 ** 3);
    expect(parseBytes('64KB', '-m')).toBe(65536);
    expect(parseBytes('10b', '-m')).toBe(10);
  });
  it('rejects anything else, naming the flag', () => {
    for (const bad of ['', 'm', '12zb', '-5m', '1 2m']) {
      expect(() => parseBytes(bad, '-m, --memory')).toThrow(`invalid argument "${bad}" for "-m, --memory" flag: invalid size`);
    }
  });
});

describe('--cpus, --ulimit, --tmpfs', () => {
  it('turns --cpus into nano CPUs', () => {
    expect(parseCpus('1.5')).toBe(1_500_000_000);
    expect(parseCpus('.25')).toBe(250_000_000);
    expect(() => parseCpus('two')).toThrow('failed to parse two as a rational number');
    expect(() => parseCpus('-1')).toThrow('"--cpus" flag');
  });
  it('parses NAME=SOFT[:HARD]', () => {
    expect(parseUlimit('nofile=1024:2048')).toEqual({ Name: 'nofile', Soft: 1024, Hard: 2048 });
    expect(parseUlimit('nproc=50')).toEqual({ Name: 'nproc', Soft: 50, Hard: 50 });
    for (const bad of ['nofile', 'nofile=', 'nofile=a:b', '=5', 'nofile=1:2:3']) expect(() => parseUlimit(bad)).toThrow('invalid ulimit argument');
  });
  it('parses /path[:options] and needs an absolute path', () => {
    expect(parseTmpfs(['/run', '/cache:size=2m,mode=700'])).toEqual({ '/run': '', '/cache': 'size=2m,mode=700' });
    expect(() => parseTmpfs(['run'])).toThrow('it must be an absolute path');
  });
  it('sends nothing when no flag is given, and the parsed settings otherwise', () => {
    expect(toCreateParams(['busybox'], {}).host).toBeUndefined();
    expect(toHostOptions({ memory: '64m', memorySwap: '-1', cpus: '1', pidsLimit: '10', capAdd: ['NET_ADMIN'], readOnly: true })).toEqual({
      memory: 64 * 1024 ** 2, memorySwap: -1, nanoCpus: 1e9, pidsLimit: 10, capAdd: ['NET_ADMIN'], readonlyRootfs: true,
    });
    expect(() => toHostOptions({ pidsLimit: 'many' })).toThrow('"--pids-limit" flag');
  });
});

describe('the daemon\'s checks', () => {
  const mb = 1024 * 1024;
  it('applies Docker\'s memory rules', () => {
    expect(() => checkHostOptions({ memory: 5 * mb })).toThrow('Minimum memory limit allowed is 6MB');
    expect(() => checkHostOptions({ memory: 64 * mb, memorySwap: 32 * mb })).toThrow('Minimum memoryswap limit should be larger than memory limit');
    expect(() => checkHostOptions({ memorySwap: 64 * mb })).toThrow('You should always set the Memory limit when using Memoryswap limit');
    expect(() => checkHostOptions({ memory: 32 * mb, memoryReservation: 64 * mb })).toThrow('can not be less than memory reservation');
    expect(checkHostOptions({ memory: 64 * mb, memorySwap: -1 })).toEqual({ memory: 64 * mb, memorySwap: -1 });
  });
  it('checks CPU settings against the host', () => {
    expect(() => checkHostOptions({ nanoCpus: 3e9 }, 2)).toThrow('Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available');
    expect(() => checkHostOptions({ nanoCpus: 1e9, cpuQuota: 50000 }, 2)).toThrow('Conflicting options: Nano CPUs and CPU Period');
    expect(() => checkHostOptions({ cpuPeriod: 10 }, 2)).toThrow('CPU cfs period can not be less than 1ms');
    expect(() => checkHostOptions({ cpusetCpus: '0-2' }, 2)).toThrow('Requested CPUs are not available - requested 0-2, available: 0-1');
    expect(() => checkHostOptions({ cpusetCpus: 'x' }, 2)).toThrow('invalid value x for cpuset cpus');
    expect(parseCpuList('0-2,5')).toEqual([0, 1, 2, 5]);
  });
  it('checks ulimits, capabilities, oom score and tmpfs paths', () => {
    expect(() => checkHostOptions({ ulimits: [{ Name: 'bogus', Soft: 1, Hard: 1 }] })).toThrow('invalid ulimit type: bogus');
    expect(() => checkHostOptions({ ulimits: [{ Name: 'nofile', Soft: 9, Hard: 1 }] })).toThrow('soft limit must be less than or equal to hard limit');
    expect(() => checkHostOptions({ capAdd: ['FLY'] })).toThrow('invalid --cap-add value "FLY": unknown capability');
    expect(() => checkHostOptions({ capDrop: ['cap_bogus'] })).toThrow('invalid --cap-drop value "cap_bogus"');
    expect(() => checkHostOptions({ oomScoreAdj: 1001 })).toThrow('range for oom score adj is [-1000, 1000]');
    expect(() => checkHostOptions({ tmpfs: { '/': '' } })).toThrow('the root filesystem cannot be a tmpfs');
  });
  it('checks the wire shape of the host parameter', () => {
    expect(hostParams({})).toBeUndefined();
    expect(() => hostParams({ host: 'big' })).toThrow('parameter "host" must be a map');
    expect(() => hostParams({ host: { memory: '64m' } })).toThrow('parameter "memory" must be a number');
    expect(() => hostParams({ host: { ulimits: [{ Name: 'nofile' }] } })).toThrow('host.ulimits');
    expect(hostParams({ host: { pidsLimit: 5, privileged: true } })).toEqual({ pidsLimit: 5, privileged: true });
  });
});

describe('capabilities and the OCI config', () => {
  it('follows Docker\'s add/drop rules', () => {
    expect(capabilitySet({})).toEqual(DEFAULT_CAPABILITIES);
    expect(capabilitySet({ capDrop: ['ALL'], capAdd: ['chown'] })).toEqual(['CAP_CHOWN']);
    expect(capabilitySet({ capAdd: ['ALL'], capDrop: ['SYS_ADMIN'] })).toEqual(ALL_CAPABILITIES.filter((c) => c !== 'CAP_SYS_ADMIN'));
    expect(capabilitySet({ capDrop: ['CHOWN'], capAdd: ['CHOWN'] })).toContain('CAP_CHOWN');
    expect(capabilitySet({ privileged: true, capDrop: ['ALL'] }, ['CAP_KILL'])).toEqual(['CAP_KILL']);
  });
  it('reads the bounding set from a status text', () => {
    expect(hostBoundingSet('Name:\tx\nCapBnd:\t0000000000000021\n')).toEqual(['CAP_CHOWN', 'CAP_KILL']);
  });
  it('maps resources to linux.resources as runc expects', () => {
    expect(ociResources({ memory: 100, nanoCpus: 1.5e9, pidsLimit: -1, cpusetCpus: '1' })).toEqual({
      memory: { limit: 100, swap: 200 }, cpu: { period: 100000, quota: 150000, cpus: '1' }, pids: { limit: -1 },
    });
    expect(tmpfsMounts({ tmpfs: { '/x': 'exec,size=1m' } })).toEqual([{ destination: '/x', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'exec', 'size=1m'] }]);
  });
});

describe('--device (Docker\'s HOST[:CONTAINER][:PERMISSIONS])', () => {
  it('reads one, two and three parts; two parts are permissions when they look like them', () => {
    expect(parseDevice('/dev/fuse')).toEqual({ PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' });
    expect(parseDevice('/dev/fuse:r')).toEqual({ PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'r' });
    expect(parseDevice('/dev/fuse:/dev/f')).toEqual({ PathOnHost: '/dev/fuse', PathInContainer: '/dev/f', CgroupPermissions: 'rwm' });
    expect(parseDevice('/dev/fuse:/dev/f:mw')).toEqual({ PathOnHost: '/dev/fuse', PathInContainer: '/dev/f', CgroupPermissions: 'mw' });
    expect(() => parseDevice('/dev/a:/dev/b:r:x')).toThrow(/invalid device specification/);
    expect(() => parseDevice('/dev/a:/dev/b:rx')).toThrow(/invalid device mode: rx/);
  });

  it('the daemon checks the host path and the shape', () => {
    expect(() => hostParams({ host: { devices: ['/dev/null'] } })).toThrow(/must be a list of \{PathOnHost, PathInContainer, CgroupPermissions\}/);
    expect(() => hostParams({ host: { devices: [{ PathOnHost: '/dev/null', PathInContainer: 'x', CgroupPermissions: 'r' }] } })).toThrow(/container path must be absolute/);
    expect(() => hostParams({ host: { devices: [{ PathOnHost: '/dev/null', PathInContainer: '/x', CgroupPermissions: 'rr' }] } })).toThrow(/combination of r, w and m/);
    expect(hostParams({ host: { devices: [{ PathOnHost: '/dev/null', PathInContainer: '/x', CgroupPermissions: 'rw' }] } })?.devices).toHaveLength(1);
  });
});
