// The minimum of Docker's create body that docker-compose needs beyond
// container-shapes.ts: HostConfig.NetworkMode, NetworkingConfig aliases and
// HostConfig.Binds; and inspect's NetworkSettings.Networks filled from the
// daemon's endpoints. (To fold into the full HostConfig mapping.)
import type { CreateParams } from '../protocol/container-methods.js';
import type { EndpointInfo } from '../network/container-endpoints.js';
import type { MountRequest } from '../runtime/user-mounts.js';
import { ApiError } from './http-util.js';

export interface NetworkingBody {
  HostConfig?: { NetworkMode?: string; Binds?: string[] | null } | null;
  NetworkingConfig?: { EndpointsConfig?: Record<string, { Aliases?: string[] | null } | null> | null } | null;
}

/** SOURCE:TARGET[:OPTIONS] with OPTIONS from ro, rw and the SELinux/propagation/copy flags Berth has no use for. */
export function bindMount(spec: string): MountRequest {
  const [source, target, opts = '', ...rest] = spec.split(':');
  if (!source || !target || rest.length > 0) throw new ApiError(400, `invalid bind "${spec}": use SOURCE:TARGET[:ro|rw]`);
  if (!target.startsWith('/')) throw new ApiError(400, `invalid bind "${spec}": the mount point ${target} must be an absolute path`);
  let readonly = false;
  for (const o of opts.split(',').filter(Boolean)) {
    if (o === 'ro' || o === 'rw') readonly = o === 'ro';
    else if (!['z', 'Z', 'nocopy', 'rprivate', 'private', 'rslave', 'slave', 'rshared', 'shared'].includes(o)) throw new ApiError(400, `invalid bind "${spec}": unknown option "${o}"`);
  }
  return source.startsWith('/') ? { type: 'bind', source, target, readonly, createSource: true } : { type: 'volume', source, target, readonly };
}

/** The networking and bind parts of a create body as Berth's create parameters. */
export function networkingParams(body: NetworkingBody | null): Partial<CreateParams> {
  const hc = body?.HostConfig ?? {};
  // "default" keeps Berth's own default (none) until the full mapping decides; Docker's would be bridge
  const mode = !hc.NetworkMode || hc.NetworkMode === 'default' ? undefined : hc.NetworkMode;
  const aliases = Object.values(body?.NetworkingConfig?.EndpointsConfig ?? {}).flatMap((e) => e?.Aliases ?? []);
  return {
    ...(mode ? { network: mode } : {}),
    ...(aliases.length > 0 ? { networkAliases: [...new Set(aliases)] } : {}),
    ...(hc.Binds && hc.Binds.length > 0 ? { mounts: hc.Binds.map(bindMount) } : {}),
  };
}

/** The create body without what networkingParams took (so container-shapes does not refuse it). */
export function withoutNetworking<T extends NetworkingBody>(body: T | null): T | null {
  if (!body?.HostConfig) return body;
  return { ...body, HostConfig: { ...body.HostConfig, Binds: null } };
}

/** inspect's NetworkSettings.Networks and HostConfig.NetworkMode for a container on bridge networks. */
export function withEndpoints(doc: Record<string, unknown>, eps: EndpointInfo[]): Record<string, unknown> {
  if (eps.length === 0) return doc;
  const networks = Object.fromEntries(eps.map((e) => [e.network, {
    IPAMConfig: null, Links: null, Aliases: e.aliases.length > 0 ? e.aliases : null, NetworkID: e.networkId, EndpointID: e.ipAddress ? e.networkId.slice(0, 12) : '',
    Gateway: e.gateway, IPAddress: e.ipAddress, IPPrefixLen: e.prefixLen, IPv6Gateway: '', GlobalIPv6Address: '', GlobalIPv6PrefixLen: 0, MacAddress: e.mac, DriverOpts: null,
  }]));
  const first = eps[0];
  const settings = (doc.NetworkSettings ?? {}) as Record<string, unknown>;
  return {
    ...doc,
    HostConfig: { ...(doc.HostConfig as object), NetworkMode: first.network },
    NetworkSettings: { ...settings, Networks: networks, IPAddress: first.network === 'bridge' ? first.ipAddress : '', Gateway: first.network === 'bridge' ? first.gateway : '', MacAddress: first.network === 'bridge' ? first.mac : '', Ports: settings.Ports ?? {} },
  };
}
