// /system/df (disk usage in Docker's shape) and /auth (a registry login check).
import type { DiskUsage } from '../protocol/fs-methods.js';
import type { VolumeDoc } from '../protocol/volume-network-methods.js';
import { BerthError } from '../errors.js';
import { ask } from './ask.js';
import { ApiError, messageOf, sendJson } from './http-util.js';
import { dockerImageSummary } from './image-routes.js';
import type { Route } from './route.js';

const seconds = (iso: string | null) => (iso ? Math.floor(Date.parse(iso) / 1000) : 0);

function dfDoc(u: DiskUsage, volumes: VolumeDoc[]): Record<string, unknown> {
  const imageSize = new Map(u.images.map((i) => [i.id, i.size]));
  const imageByRef = new Map(u.images.flatMap((i) => i.repoTags.map((t) => [t, i.id] as const)));
  const usage = new Map(u.volumes.map((v) => [v.name, v]));
  return {
    LayersSize: Object.values(u.layerSizes).reduce((n, s) => n + s, 0),
    Images: u.images.map((i) => ({
      ...dockerImageSummary({ id: i.id, repoTags: i.repoTags, repoDigests: [], created: i.created, size: i.size, containers: i.containers }),
      SharedSize: i.sharedSize,
    })),
    Containers: u.containers.map((c) => {
      const imageId = imageByRef.get(c.image) ?? (c.image.startsWith('sha256:') ? c.image : '');
      return {
        Id: c.id,
        Names: [`/${c.name}`],
        Image: c.image,
        ImageID: imageId,
        Command: c.command,
        Created: seconds(c.created),
        State: c.state,
        Status: c.status,
        SizeRw: c.sizeRw,
        SizeRootFs: c.sizeRw + (imageSize.get(imageId) ?? 0),
        Labels: {},
        Ports: [],
        Mounts: [],
      };
    }),
    Volumes: volumes.map((v) => ({ ...v, UsageData: { Size: usage.get(v.Name)?.size ?? -1, RefCount: usage.get(v.Name)?.links ?? -1 } })),
    BuildCache: [],
  };
}

/** The registry's refusal of the credential, as opposed to a registry that cannot be reached. */
const refused = (err: unknown) => [401, 403].includes((err as { status?: number }).status ?? 0) || /answered 40[13]\b/.test(messageOf(err));

export const dfAuthRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/system\/df$/,
    async run(ctx) {
      const [usage, volumes] = await Promise.all([ask<DiskUsage>(ctx, 'system.df'), ask<VolumeDoc[]>(ctx, 'volume.list', { filters: {} })]);
      sendJson(ctx.res!, 200, dfDoc(usage, volumes));
    },
  },
  {
    method: 'POST',
    path: /^\/auth$/,
    async run(ctx) {
      const b = await ctx.body<{ username?: string; password?: string; serveraddress?: string; identitytoken?: string }>();
      if (!b?.username || !b.password) throw new ApiError(400, 'username and password are required to log in (identity tokens are not supported by Berth)');
      const server = b.serveraddress || 'https://index.docker.io/v1/';
      try {
        const r = await ask<{ status: string }>(ctx, 'system.login', { server, auth: Buffer.from(`${b.username}:${b.password}`).toString('base64') });
        sendJson(ctx.res!, 200, { Status: r.status, IdentityToken: '' });
      } catch (err) {
        if (refused(err)) throw new ApiError(401, `login attempt to ${server} failed: ${messageOf(err)}`);
        if (err instanceof BerthError && err.code === 'invalid_argument') throw err;
        throw new ApiError(500, messageOf(err));
      }
    },
  },
];
