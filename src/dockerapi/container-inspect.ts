// GET /containers/{id}/json: Berth's inspect document, plus what Docker puts
// under NetworkSettings.Ports (the host ports published now, as `docker port`
// reads them).
import type { PortMapping } from '../network/ports.js';
import type { EndpointInfo } from '../network/container-endpoints.js';
import { callHandler } from './handler-call.js';
import { withEndpoints } from './inspect-networks.js';
import type { RouteContext } from './route.js';

type Doc = Record<string, unknown> & {
  State?: { Running?: boolean };
  HostConfig?: { PortBindings?: Record<string, unknown> };
  NetworkSettings?: Record<string, unknown>;
};

const none = () => ({ signal: new AbortController().signal });

export function portsView(bindings: Record<string, unknown>, now: PortMapping[]): Record<string, Array<{ HostIp: string; HostPort: string }> | null> {
  const out: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {};
  for (const key of Object.keys(bindings)) out[key] = null;
  for (const p of now) {
    const key = `${p.containerPort}/${p.protocol}`;
    (out[key] ??= []).push({ HostIp: p.hostIP || '0.0.0.0', HostPort: String(p.hostPort) });
  }
  return out;
}

export async function dockerInspect(ctx: RouteContext, id: string): Promise<Doc> {
  const doc = await callHandler<Doc>(ctx.handlers, 'container.inspect', { id }, none());
  const bindings = doc.HostConfig?.PortBindings ?? {};
  const now = doc.State?.Running && Object.keys(bindings).length > 0
    ? await callHandler<PortMapping[]>(ctx.handlers, 'container.port', { id }, none())
    : [];
  doc.NetworkSettings = { ...doc.NetworkSettings, Ports: portsView(bindings, now) };
  const eps = await callHandler<EndpointInfo[]>(ctx.handlers, 'network.endpoints', { container: String(doc.Id) }, none()).catch(() => []);
  return withEndpoints(doc, eps) as Doc;
}
