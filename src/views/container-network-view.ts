// What inspect and ps show of a container's networking: NetworkSettings.Ports
// (the host ports published now, as `docker port` reads them),
// NetworkSettings.Networks from the daemon's endpoints (docker-compose reads a
// container's aliases there, its short id among them), and the PORTS column.
import type { EndpointInfo } from '../network/container-endpoints.js';
import type { PortMapping } from '../network/ports.js';

/** NetworkSettings.Ports: every bound port, with the host ports it is published on now (null when not running). */
export function portsView(bindings: Record<string, unknown>, now: PortMapping[]): Record<string, Array<{ HostIp: string; HostPort: string }> | null> {
  const out: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {};
  for (const key of Object.keys(bindings)) out[key] = null;
  for (const p of now) {
    const key = `${p.containerPort}/${p.protocol}`;
    (out[key] ??= []).push({ HostIp: p.hostIP || '0.0.0.0', HostPort: String(p.hostPort) });
  }
  return out;
}

/** The PORTS column of `ps`: "127.0.0.1:8080->80/tcp, 0.0.0.0:8443->443/tcp". */
export function portsColumn(ports: PortMapping[]): string {
  return [...ports]
    .sort((a, b) => a.containerPort - b.containerPort || a.protocol.localeCompare(b.protocol) || a.hostIP.localeCompare(b.hostIP))
    .map((p) => `${p.hostIP || '0.0.0.0'}:${p.hostPort}->${p.containerPort}/${p.protocol}`)
    .join(', ');
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
