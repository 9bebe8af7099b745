// The container file system endpoints: /containers/{id}/archive (GET, HEAD,
// PUT: what `docker cp` uses), /changes, /export and POST /commit, over
// Berth's container.stat/archive/extract/diff/export/commit calls.
import type { ServerResponse } from 'node:http';
import type { PathStat } from '../protocol/fs-methods.js';
import type { StreamEvent } from '../protocol/frames.js';
import { callHandler } from './handler-call.js';
import { ApiError, boolQuery, sendJson } from './http-util.js';
import { commitChanges, type DockerCommitConfig } from './container-commit-config.js';
import type { Route, RouteContext } from './route.js';

const re = (path: string) => new RegExp(`^${path.replaceAll('{id}', '([^/]+)')}$`);
const none = () => ({ signal: new AbortController().signal });

/** Go's os.FileMode bits for a Unix st_mode, as Docker's path stat carries it. */
export function goFileMode(mode: number): number {
  let m = mode & 0o777;
  const type = mode & 0o170000;
  if (type === 0o040000) m += 2 ** 31;
  else if (type === 0o120000) m += 2 ** 27;
  else if (type === 0o010000) m += 2 ** 25;
  else if (type === 0o140000) m += 2 ** 24;
  else if (type === 0o060000) m += 2 ** 26;
  else if (type === 0o020000) m += 2 ** 26 + 2 ** 21;
  if (mode & 0o4000) m += 2 ** 23;
  if (mode & 0o2000) m += 2 ** 22;
  if (mode & 0o1000) m += 2 ** 20;
  return m;
}

function pathQuery(ctx: RouteContext): string {
  const path = ctx.query.get('path');
  if (!path) throw new ApiError(400, 'the path query parameter is required: the path in the container, e.g. ?path=/etc/hostname');
  return path;
}

/** Stats the path and sets Docker's X-Docker-Container-Path-Stat header (404 when it is missing). */
async function statHeader(ctx: RouteContext, res: ServerResponse): Promise<PathStat> {
  const id = ctx.params[0];
  const path = pathQuery(ctx);
  const st = await callHandler<PathStat | null>(ctx.handlers, 'container.stat', { id, path }, none());
  if (!st) throw new ApiError(404, `Could not find the file ${path} in container ${id}`);
  const doc = { name: st.name, size: st.size, mode: goFileMode(st.mode), mtime: '0001-01-01T00:00:00Z', linkTarget: st.linkTarget };
  res.setHeader('X-Docker-Container-Path-Stat', Buffer.from(JSON.stringify(doc)).toString('base64'));
  return st;
}

/** Streams a handler's data events as a tar body. */
async function tarBody(ctx: RouteContext, method: string, params: Record<string, unknown>): Promise<void> {
  const sink = ctx.stream('application/x-tar');
  await callHandler(ctx.handlers, method, params, {
    onEvent: (ev: StreamEvent) => {
      if (ev.kind === 'data') sink.write(Buffer.from(ev.data));
    },
    drained: sink.drained,
    signal: sink.signal,
  });
}

export const containerFsRoutes: Route[] = [
  {
    method: 'HEAD',
    path: re('/containers/{id}/archive'),
    async run(ctx) {
      await statHeader(ctx, ctx.res!);
      ctx.res!.writeHead(200);
      ctx.res!.end();
    },
  },
  {
    method: 'GET',
    path: re('/containers/{id}/archive'),
    async run(ctx) {
      await statHeader(ctx, ctx.res!);
      await tarBody(ctx, 'container.archive', { id: ctx.params[0], path: pathQuery(ctx) });
    },
  },
  {
    method: 'PUT',
    path: re('/containers/{id}/archive'),
    async run(ctx) {
      const params = {
        id: ctx.params[0],
        dir: pathQuery(ctx),
        archive: boolQuery(ctx.query, 'copyUIDGID'),
        noOverwriteDirNonDir: boolQuery(ctx.query, 'noOverwriteDirNonDir'),
      };
      try {
        await callHandler(ctx.handlers, 'container.extract', params, { upload: ctx.req, signal: new AbortController().signal });
      } catch (err) {
        // read the rest of the upload, so the client sees the error instead of a broken pipe
        if (!ctx.req.readableEnded) await new Promise<void>((r) => ctx.req.resume().once('end', r).once('close', r));
        throw err;
      }
      ctx.res!.writeHead(200);
      ctx.res!.end();
    },
  },
  {
    method: 'GET',
    path: re('/containers/{id}/changes'),
    async run(ctx) {
      sendJson(ctx.res!, 200, await callHandler(ctx.handlers, 'container.diff', { id: ctx.params[0] }, none()));
    },
  },
  {
    method: 'GET',
    path: re('/containers/{id}/export'),
    async run(ctx) {
      // a missing container is a 404 before the 200 of the stream goes out
      await callHandler(ctx.handlers, 'container.inspect', { id: ctx.params[0] }, none());
      await tarBody(ctx, 'container.export', { id: ctx.params[0] });
    },
  },
  {
    method: 'POST',
    path: re('/commit'),
    async run(ctx) {
      const q = ctx.query;
      const id = q.get('container');
      if (!id) throw new ApiError(400, 'the container query parameter is required: the container to commit');
      const repo = q.get('repo');
      const tag = q.get('tag');
      if (tag && !repo) throw new ApiError(400, 'a tag needs a repository: give repo= as well');
      const changes = [...q.getAll('changes').flatMap((c) => c.split('\n')).filter((c) => c.trim() !== ''), ...commitChanges(await ctx.body<DockerCommitConfig>())];
      const params: Record<string, unknown> = { id, pause: q.has('pause') ? boolQuery(q, 'pause') : true };
      if (repo) params.repository = tag ? `${repo}:${tag}` : repo;
      if (q.get('comment')) params.message = q.get('comment');
      if (q.get('author')) params.author = q.get('author');
      if (changes.length > 0) params.changes = changes;
      const r = await callHandler<{ id: string }>(ctx.handlers, 'container.commit', params, none());
      sendJson(ctx.res!, 201, { Id: r.id });
    },
  },
];
