// Docker's create body (as the docker CLI sends it, zero values included)
// turned into Berth's create parameters, and what is refused.
import { describe, expect, it } from 'vitest';
import { createParams } from '../../src/dockerapi/container-shapes.js';
import { ApiError } from '../../src/dockerapi/http-util.js';
import { BerthError } from '../../src/errors.js';

/** The zero-valued HostConfig the docker CLI sends for a plain `docker run`. */
const CLI_DEFAULTS = {
  Binds: null, ContainerIDFile: '', LogConfig: { Type: '', Config: {} }, NetworkMode: 'default', PortBindings: {},
  RestartPolicy: { Name: 'no', MaximumRetryCount: 0 }, AutoRemove: false, VolumeDriver: '', VolumesFrom: null, ConsoleSize: [24, 80],
  CapAdd: null, CapDrop: null, CgroupnsMode: '', Dns: [], DnsOptions: [], DnsSearch: [], ExtraHosts: null, GroupAdd: null, IpcMode: '',
  Cgroup: '', Links: null, OomScoreAdj: 0, PidMode: '', Privileged: false, PublishAllPorts: false, ReadonlyRootfs: false, SecurityOpt: null,
  UTSMode: '', UsernsMode: '', ShmSize: 0, Isolation: '', CpuShares: 0, Memory: 0, NanoCpus: 0, CgroupParent: '', BlkioWeight: 0,
  BlkioWeightDevice: [], BlkioDeviceReadBps: [], BlkioDeviceWriteBps: [], BlkioDeviceReadIOps: [], BlkioDeviceWriteIOps: [],
  CpuPeriod: 0, CpuQuota: 0, CpuRealtimePeriod: 0, CpuRealtimeRuntime: 0, CpusetCpus: '', CpusetMems: '', Devices: [],
  DeviceCgroupRules: null, DeviceRequests: null, MemoryReservation: 0, MemorySwap: 0, MemorySwappiness: null, OomKillDisable: null,
  PidsLimit: null, Ulimits: [], CpuCount: 0, CpuPercent: 0, IOMaximumIOps: 0, IOMaximumBandwidth: 0, MaskedPaths: null, ReadonlyPaths: null,
};

const create = (hc: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  createParams({ Image: 'busybox', Cmd: ['true'], HostConfig: { ...CLI_DEFAULTS, ...hc }, ...extra }, null);

function refused(hc: Record<string, unknown>): ApiError | BerthError {
  try {
    create(hc);
  } catch (err) {
    if (err instanceof ApiError || err instanceof BerthError) return err;
    throw err;
  }
  throw new Error('not refused');
}

describe('HostConfig of /containers/create', () => {
  it('a plain docker run maps to a plain create: zero values are not settings', () => {
    expect(create({})).toEqual({ image: 'busybox', cmd: ['true'] });
  });

  it('maps resources and security settings into host options', () => {
    const p = create({
      Memory: 64 << 20, MemorySwap: -1, MemoryReservation: 32 << 20, NanoCpus: 1.5e9, CpuShares: 512, CpusetCpus: '0', PidsLimit: 50,
      Ulimits: [{ Name: 'nofile', Soft: 512, Hard: 1024 }], OomScoreAdj: 100, CapAdd: ['NET_ADMIN'], CapDrop: ['CHOWN'], Privileged: true,
      ReadonlyRootfs: true, Tmpfs: { '/run': 'size=1m' }, Init: true, SecurityOpt: ['no-new-privileges:true'],
    });
    expect(p.host).toEqual({
      memory: 64 << 20, memorySwap: -1, memoryReservation: 32 << 20, nanoCpus: 1.5e9, cpuShares: 512, cpusetCpus: '0', pidsLimit: 50,
      ulimits: [{ Name: 'nofile', Soft: 512, Hard: 1024 }], oomScoreAdj: 100, capAdd: ['NET_ADMIN'], capDrop: ['CHOWN'], privileged: true,
      readonlyRootfs: true, tmpfs: { '/run': 'size=1m' }, init: true, securityOpt: ['no-new-privileges:true'],
    });
  });

  it('parses Binds like -v and maps Mounts like --mount', () => {
    const p = create({
      Binds: ['/srv/www:/www:ro', 'data:/data', '/anon'],
      Mounts: [
        { Type: 'bind', Source: '/etc/hosts', Target: '/h', ReadOnly: true },
        { Type: 'volume', Source: '', Target: '/cache' },
        { Type: 'tmpfs', Target: '/scratch', TmpfsOptions: { SizeBytes: 1048576, Mode: 0o1777 } },
      ],
    });
    expect(p.mounts).toEqual([
      { type: 'bind', source: '/srv/www', target: '/www', readonly: true, createSource: true },
      { type: 'volume', source: 'data', target: '/data', readonly: false },
      { type: 'volume', target: '/anon', readonly: false },
      { type: 'bind', source: '/etc/hosts', target: '/h', readonly: true },
      { type: 'volume', target: '/cache', readonly: false },
      { type: 'tmpfs', target: '/scratch', readonly: false, tmpfsSize: 1048576, tmpfsMode: 0o1777 },
    ]);
    expect(refused({ Binds: ['/a:/b:zz'] }).message).toContain('invalid mode "zz"');
    expect(create({ Binds: ['/a:/b:ro,Z', '/c:/d:z'] }).mounts).toEqual([
      { type: 'bind', source: '/a', target: '/b', readonly: true, createSource: true },
      { type: 'bind', source: '/c', target: '/d', readonly: false, createSource: true },
    ]);
    expect(refused({ Mounts: [{ Type: 'npipe', Target: '/x' }] }).message).toContain('mount type "npipe" is not supported');
  });

  it('turns PortBindings into -p specs; the default network mode is the daemon default network', () => {
    const p = create({ PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }], '53/udp': [{ HostIp: '', HostPort: '5353' }] } });
    expect(p.publish).toEqual(['127.0.0.1::80/tcp', ':5353:53/udp']);
    expect(p.network).toBeUndefined();
    expect(create({ NetworkMode: 'default' }).network).toBeUndefined();
    expect(create({ PublishAllPorts: true, NetworkMode: 'appnet' })).toMatchObject({ publishAll: true, network: 'appnet' });
    expect(create({ NetworkMode: 'host' }).network).toBe('host');
    expect(create({}).network).toBeUndefined();
  });

  it('maps ExtraHosts, Dns, DnsSearch and the endpoint aliases', () => {
    const p = create(
      { NetworkMode: 'appnet', ExtraHosts: ['db:10.0.0.5', 'cache=10.0.0.6'], Dns: ['10.1.2.3'], DnsSearch: ['corp.example'] },
      { NetworkingConfig: { EndpointsConfig: { appnet: { Aliases: ['site'] } } } },
    );
    expect(p).toMatchObject({ addHosts: ['db:10.0.0.5', 'cache:10.0.0.6'], dns: ['10.1.2.3'], dnsSearch: ['corp.example'], networkAliases: ['site'] });
  });

  it('maps devices, security options, namespace modes, /dev/shm size, sysctls and extra groups for the daemon to check', () => {
    const p = create({
      Devices: [{ PathOnHost: '/dev/null', PathInContainer: '', CgroupPermissions: '' }],
      SecurityOpt: ['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}'],
      PidMode: 'host', IpcMode: 'private', UTSMode: 'host', CgroupnsMode: 'host', ShmSize: 1 << 20, Sysctls: { 'net.ipv4.ip_forward': '1' }, GroupAdd: ['audio'],
    });
    expect(p.host).toEqual({
      devices: [{ PathOnHost: '/dev/null', PathInContainer: '/dev/null', CgroupPermissions: 'rwm' }],
      securityOpt: ['seccomp={"defaultAction":"SCMP_ACT_ALLOW"}'],
      pidMode: 'host', utsMode: 'host', cgroupnsMode: 'host', shmSize: 1 << 20, sysctls: { 'net.ipv4.ip_forward': '1' }, groupAdd: ['audio'],
    });
  });

  it('refuses settings Berth does not have, with 501 and the field named', () => {
    for (const [hc, text] of [
      [{ VolumesFrom: ['other'] }, '--volumes-from'],
      [{ OomKillDisable: true }, '--oom-kill-disable'],
      [{ Mounts: [{ Type: 'volume', Target: '/v', VolumeOptions: { DriverConfig: { Name: 'nfs' } } }] }, 'volume driver "nfs"'],
    ] as const) {
      const err = refused(hc);
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).status).toBe(501);
      expect(err.message).toContain(text);
    }
  });
});
