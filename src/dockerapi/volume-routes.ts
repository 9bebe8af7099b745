// /volumes/…: Docker's volume endpoints over Berth's volume calls. Berth's
// volume documents already have Docker's field names.
import type { VolumeDoc } from '../protocol/volume-network-methods.js';
import { ask } from './ask.js';
import { ApiError, boolQuery, filtersQuery, sendEmpty, sendJson } from './http-util.js';
import type { Route } from './route.js';

interface VolumeCreateBody {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

const nonEmpty = (m: Record<string, string> | null | undefined) => (m && Object.keys(m).length > 0 ? m : undefined);

export const volumeRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/volumes$/,
    async run(ctx) {
      const volumes = await ask<VolumeDoc[]>(ctx, 'volume.list', { filters: filtersQuery(ctx.query) ?? {} });
      sendJson(ctx.res!, 200, { Volumes: volumes, Warnings: null });
    },
  },
  {
    method: 'POST',
    path: /^\/volumes\/create$/,
    async run(ctx) {
      const body = (await ctx.body<VolumeCreateBody>()) ?? {};
      if (typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'the volume create body must be a JSON object {Name, Driver, DriverOpts, Labels}');
      const doc = await ask<VolumeDoc>(ctx, 'volume.create', {
        ...(body.Name ? { name: body.Name } : {}),
        ...(body.Driver ? { driver: body.Driver } : {}),
        ...(nonEmpty(body.Labels) ? { labels: body.Labels } : {}),
        ...(nonEmpty(body.DriverOpts) ? { options: body.DriverOpts } : {}),
      });
      sendJson(ctx.res!, 201, doc);
    },
  },
  {
    method: 'POST',
    path: /^\/volumes\/prune$/,
    async run(ctx) {
      const filters = filtersQuery(ctx.query) ?? {};
      // API 1.42+: only anonymous volumes unless the "all" filter says otherwise
      const all = (filters.all ?? []).some((v) => ['1', 'true'].includes(v));
      delete filters.all;
      const r = await ask<{ deleted: string[]; spaceReclaimed: number }>(ctx, 'volume.prune', { all, filters });
      sendJson(ctx.res!, 200, { VolumesDeleted: r.deleted, SpaceReclaimed: r.spaceReclaimed });
    },
  },
  {
    method: 'GET',
    path: /^\/volumes\/([^/]+)$/,
    async run(ctx) {
      sendJson(ctx.res!, 200, await ask<VolumeDoc>(ctx, 'volume.inspect', { name: ctx.params[0] }));
    },
  },
  {
    method: 'DELETE',
    path: /^\/volumes\/([^/]+)$/,
    async run(ctx) {
      await ask(ctx, 'volume.remove', { name: ctx.params[0], force: boolQuery(ctx.query, 'force') });
      sendEmpty(ctx.res!);
    },
  },
];
