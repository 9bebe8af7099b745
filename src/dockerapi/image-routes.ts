// /images/…: Docker's image endpoints over Berth's image calls.
import type { ImageDeleteItem, ImageHistoryRow, ImageSummary, PullResult } from '../protocol/methods.js';
import type { StreamEvent } from '../protocol/frames.js';
import { callHandler } from './handler-call.js';
import { ApiError, boolQuery, filtersQuery, messageOf, sendJson } from './http-util.js';
import type { Route } from './route.js';

const none = () => ({ signal: new AbortController().signal });
const seconds = (iso: string | null) => (iso ? Math.floor(Date.parse(iso) / 1000) : 0);

export function dockerImageSummary(i: ImageSummary): Record<string, unknown> {
  return {
    Id: i.id,
    ParentId: '',
    RepoTags: i.repoTags,
    RepoDigests: i.repoDigests,
    Created: seconds(i.created),
    Size: i.size,
    VirtualSize: i.size,
    SharedSize: -1,
    Labels: i.labels ?? {},
    Containers: i.containers ?? -1,
  };
}

/**
 * X-Registry-Auth: base64url JSON {username, password, serveraddress} (or
 * "{}" for none), as Berth's credential: base64 of "user:password".
 */
export function registryAuth(header: string | string[] | undefined): string | undefined {
  if (typeof header !== 'string' || header === '') return undefined;
  let parsed: { username?: string; password?: string };
  try {
    parsed = JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    throw new ApiError(400, 'X-Registry-Auth is not base64url-encoded JSON');
  }
  if (!parsed?.username || !parsed.password) return undefined;
  return Buffer.from(`${parsed.username}:${parsed.password}`).toString('base64');
}

/** A pull's progress as Docker's JSON message stream. */
export function progressMessage(ev: StreamEvent): Record<string, unknown> | null {
  if (ev.kind === 'status') return { status: ev.message };
  if (ev.kind !== 'progress') return null;
  const msg: Record<string, unknown> = { status: ev.status, id: ev.id };
  if (ev.current !== undefined) msg.progressDetail = { current: ev.current, ...(ev.total !== undefined ? { total: ev.total } : {}) };
  return msg;
}

export const imageRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/images\/json$/,
    async run(ctx) {
      const filters = filtersQuery(ctx.query);
      const list = await callHandler<ImageSummary[]>(ctx.handlers, 'image.list', {
        all: boolQuery(ctx.query, 'all'),
        ...(filters ? { filters: Object.entries(filters).flatMap(([k, vs]) => vs.map((v) => `${k}=${v}`)) } : {}),
      }, none());
      sendJson(ctx.res!, 200, list.map(dockerImageSummary));
    },
  },
  {
    method: 'POST',
    path: /^\/images\/create$/,
    async run(ctx) {
      const from = ctx.query.get('fromImage');
      if (!from) throw new ApiError(501, 'only pulls (fromImage=) are supported: importing with fromSrc is not');
      const tag = ctx.query.get('tag');
      const ref = tag ? (tag.startsWith('sha256:') ? `${from}@${tag}` : `${from}:${tag}`) : from;
      const auth = registryAuth(ctx.req.headers['x-registry-auth']);
      const sink = ctx.stream('application/json');
      const line = (m: Record<string, unknown>) => sink.write(Buffer.from(`${JSON.stringify(m)}\r\n`));
      try {
        const r = await callHandler<PullResult>(ctx.handlers, 'image.pull', {
          ref,
          ...(ctx.query.get('platform') ? { platform: ctx.query.get('platform') } : {}),
          ...(auth ? { auth } : {}),
        }, {
          onEvent: (ev) => {
            const m = progressMessage(ev);
            if (m) line(m);
          },
          signal: sink.signal,
        });
        line({ status: `Digest: ${r.digest}` });
        line({ status: `Status: Downloaded newer image for ${r.ref}` });
      } catch (err) {
        // the status line is already sent: errors travel in the stream, as Docker's do
        line({ errorDetail: { message: messageOf(err) }, error: messageOf(err) });
      }
    },
  },
  {
    method: 'GET',
    path: /^\/images\/(.+)\/json$/,
    async run(ctx) {
      sendJson(ctx.res!, 200, await callHandler(ctx.handlers, 'image.inspect', { name: ctx.params[0] }, none()));
    },
  },
  {
    method: 'GET',
    path: /^\/images\/(.+)\/history$/,
    async run(ctx) {
      const rows = await callHandler<ImageHistoryRow[]>(ctx.handlers, 'image.history', { name: ctx.params[0] }, none());
      sendJson(ctx.res!, 200, rows.map((r) => ({ Id: r.id, Created: seconds(r.created), CreatedBy: r.createdBy, Tags: r.tags, Size: r.size, Comment: r.comment })));
    },
  },
  {
    method: 'POST',
    path: /^\/images\/(.+)\/tag$/,
    async run(ctx) {
      const repo = ctx.query.get('repo');
      if (!repo) throw new ApiError(400, 'repo is required: the repository to tag the image into');
      const tag = ctx.query.get('tag');
      await callHandler(ctx.handlers, 'image.tag', { source: ctx.params[0], target: tag ? `${repo}:${tag}` : repo }, none());
      ctx.res!.writeHead(201);
      ctx.res!.end();
    },
  },
  {
    method: 'DELETE',
    path: /^\/images\/(.+)$/,
    async run(ctx) {
      const items = await callHandler<ImageDeleteItem[]>(ctx.handlers, 'image.remove', { name: ctx.params[0], force: boolQuery(ctx.query, 'force') }, none());
      sendJson(ctx.res!, 200, items.map((i) => (i.untagged ? { Untagged: i.untagged } : { Deleted: i.deleted })));
    },
  },
];
