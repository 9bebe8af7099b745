// A container's mounts, network mode, published ports and /etc options as
// Docker's inspect shows them under HostConfig (Binds, NetworkMode,
// PortBindings (with -P's ports), ExtraHosts, Dns, DnsSearch). Pure.
import type { ContainerRunSpec } from '../machines/container.js';

/** network id → name; ids are shown when a network is gone */
export type NetworkNames = (id: string) => string | undefined;

function networkMode(spec: ContainerRunSpec, names: NetworkNames): string {
  const n = spec.network;
  if (!n || n.mode === 'none') return 'none';
  if (n.mode === 'host') return 'host';
  if (n.mode === 'container') return `container:${n.container ?? ''}`;
  const first = n.networks?.[0];
  return first ? names(first) ?? first : 'bridge';
}

function portBindings(spec: ContainerRunSpec): Record<string, Array<{ HostIp: string; HostPort: string }>> {
  const out: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const p of spec.network?.ports ?? []) {
    (out[`${p.containerPort}/${p.protocol}`] ??= []).push({ HostIp: p.hostIP, HostPort: p.hostPort ? String(p.hostPort) : '' });
  }
  return out;
}

/** -v style entries for the bind mounts and named volumes (anonymous volumes are not binds). */
function binds(spec: ContainerRunSpec): string[] | null {
  const list = (spec.mounts ?? [])
    .filter((m) => m.type === 'bind' || (m.type === 'volume' && !m.anonymous))
    .map((m) => `${m.source}:${m.target}${m.readonly ? ':ro' : ''}`);
  return list.length > 0 ? list : null;
}

export function networkHostConfigView(spec: ContainerRunSpec, names: NetworkNames = () => undefined): Record<string, unknown> {
  return {
    Binds: binds(spec),
    NetworkMode: networkMode(spec, names),
    PortBindings: portBindings(spec),
    ExtraHosts: spec.etc?.addHosts?.length ? spec.etc.addHosts : null,
    Dns: spec.etc?.dns ?? [],
    DnsSearch: spec.etc?.dnsSearch ?? [],
    DnsOptions: spec.etc?.dnsOptions ?? [],
  };
}
