// /networks/…: Docker's network endpoints over Berth's network calls
// (bridge networks with one IPv4 subnet each).
import { ask } from './ask.js';
import { ApiError, filtersQuery, sendEmpty, sendJson } from './http-util.js';
import { checkNetworkFilters, matchNetwork, networkDoc, type NetworkDoc } from './network-shapes.js';
import type { Route } from './route.js';

interface IpamConfig { Subnet?: string; IPRange?: string; Gateway?: string; AuxiliaryAddresses?: Record<string, string> | null }
interface NetworkCreateBody {
  Name?: string;
  Driver?: string;
  Internal?: boolean;
  Attachable?: boolean;
  Ingress?: boolean;
  EnableIPv6?: boolean;
  IPAM?: { Driver?: string; Config?: IpamConfig[] | null; Options?: Record<string, string> | null } | null;
  Options?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

const filled = (m: object | null | undefined) => !!m && Object.keys(m).length > 0;

/** Docker's create body as Berth's network.create parameters; what Berth's bridge networks cannot do is refused. */
function createParams(b: NetworkCreateBody): Record<string, unknown> {
  if (!b.Name) throw new ApiError(400, 'Name is required: the name of the network to create');
  if (b.EnableIPv6) throw new ApiError(400, 'IPv6 networks (EnableIPv6) are not supported by Berth: leave EnableIPv6 off');
  if (b.Ingress) throw new ApiError(501, 'ingress networks belong to swarm mode, which Berth does not support');
  if (filled(b.Options)) throw new ApiError(400, `driver options (${Object.keys(b.Options!).join(', ')}) are not supported by Berth's bridge driver: create the network without them`);
  const ipam = b.IPAM ?? {};
  if (ipam.Driver && ipam.Driver !== 'default') throw new ApiError(400, `IPAM driver "${ipam.Driver}" is not supported: use the default IPAM driver`);
  if (filled(ipam.Options)) throw new ApiError(400, 'IPAM options are not supported by Berth: create the network without them');
  const configs = ipam.Config ?? [];
  if (configs.length > 1) throw new ApiError(400, `a Berth network has one subnet, but ${configs.length} IPAM configs were given`);
  const c = configs[0] ?? {};
  if (c.IPRange || filled(c.AuxiliaryAddresses)) throw new ApiError(400, 'IPAM IPRange and AuxiliaryAddresses are not supported by Berth: give only Subnet and Gateway');
  if (c.Gateway && !c.Subnet) throw new ApiError(400, 'an IPAM Gateway needs a Subnet to belong to');
  return {
    name: b.Name,
    ...(b.Driver ? { driver: b.Driver } : {}),
    ...(b.Internal ? { internal: true } : {}),
    ...(c.Subnet ? { subnet: c.Subnet } : {}),
    ...(c.Gateway ? { gateway: c.Gateway } : {}),
    ...(filled(b.Labels) ? { labels: b.Labels } : {}),
  };
}

interface ConnectBody { Container?: string; Force?: boolean; EndpointConfig?: { Aliases?: string[] | null; IPAMConfig?: { IPv4Address?: string; IPv6Address?: string } | null } | null }

async function connectBody(body: Promise<ConnectBody | null>): Promise<ConnectBody & { Container: string }> {
  const b = await body;
  if (!b?.Container) throw new ApiError(400, 'Container is required: the container to connect or disconnect');
  return b as ConnectBody & { Container: string };
}

export const networkRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/networks$/,
    async run(ctx) {
      const filters = filtersQuery(ctx.query) ?? {};
      checkNetworkFilters(filters);
      const docs = await ask<NetworkDoc[]>(ctx, 'network.list');
      sendJson(ctx.res!, 200, docs.filter((d) => matchNetwork(d, filters)).map((d) => networkDoc(d, false)));
    },
  },
  {
    method: 'POST',
    path: /^\/networks\/create$/,
    async run(ctx) {
      const params = createParams((await ctx.body<NetworkCreateBody>()) ?? {});
      const r = await ask<{ id: string }>(ctx, 'network.create', params);
      sendJson(ctx.res!, 201, { Id: r.id, Warning: '' });
    },
  },
  {
    method: 'POST',
    path: /^\/networks\/prune$/,
    async run(ctx) {
      const filters = filtersQuery(ctx.query);
      if (filters && Object.keys(filters).length > 0) throw new ApiError(400, `network prune filters (${Object.keys(filters).join(', ')}) are not supported by Berth: prune without filters`);
      const r = await ask<{ deleted: string[] }>(ctx, 'network.prune');
      sendJson(ctx.res!, 200, { NetworksDeleted: r.deleted });
    },
  },
  {
    method: 'POST',
    path: /^\/networks\/([^/]+)\/connect$/,
    async run(ctx) {
      const b = await connectBody(ctx.body<ConnectBody>());
      const ipam = b.EndpointConfig?.IPAMConfig;
      if (ipam?.IPv4Address || ipam?.IPv6Address) throw new ApiError(400, 'a fixed address (EndpointConfig.IPAMConfig) is not supported by Berth: connect without one');
      const aliases = b.EndpointConfig?.Aliases ?? [];
      await ask(ctx, 'network.connect', { network: ctx.params[0], container: b.Container, ...(aliases.length > 0 ? { aliases } : {}) });
      sendEmpty(ctx.res!, 200);
    },
  },
  {
    method: 'POST',
    path: /^\/networks\/([^/]+)\/disconnect$/,
    async run(ctx) {
      const b = await connectBody(ctx.body<ConnectBody>());
      await ask(ctx, 'network.disconnect', { network: ctx.params[0], container: b.Container });
      sendEmpty(ctx.res!, 200);
    },
  },
  {
    method: 'GET',
    path: /^\/networks\/([^/]+)$/,
    async run(ctx) {
      sendJson(ctx.res!, 200, networkDoc(await ask<NetworkDoc>(ctx, 'network.inspect', { name: ctx.params[0] }), true));
    },
  },
  {
    method: 'DELETE',
    path: /^\/networks\/([^/]+)$/,
    async run(ctx) {
      await ask(ctx, 'network.remove', { name: ctx.params[0] });
      sendEmpty(ctx.res!);
    },
  },
];
