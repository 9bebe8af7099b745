// inspect's NetworkSettings.Networks filled from the daemon's endpoints (what
// docker-compose reads: a container's aliases on each network include its short id).
import type { EndpointInfo } from '../network/container-endpoints.js';

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
