// Images in and out of Berth through Docker's API: save (/images/get),
// load, push with Docker's JSON progress stream, and prune.
import type { ImagePruneResult, LoadResult, PushResult } from '../protocol/methods.js';
import { ask } from './ask.js';
import { callHandler } from './handler-call.js';
import { ApiError, boolQuery, filtersQuery, messageOf, sendJson, statusOf } from './http-util.js';
import { progressMessage, registryAuth } from './image-routes.js';
import type { Route, RouteContext, Sink } from './route.js';

/** One JSON message a line, as Docker's streams; an error after the 200 travels as an errorDetail message. */
function jsonLines(sink: Sink): { line(m: Record<string, unknown>): void; fail(err: unknown): void } {
  const line = (m: Record<string, unknown>) => sink.write(Buffer.from(`${JSON.stringify(m)}\r\n`));
  return { line, fail: (err) => line({ errorDetail: { message: messageOf(err) }, error: messageOf(err) }) };
}

async function save(ctx: RouteContext, names: string[]): Promise<void> {
  if (names.length === 0 || names.some((n) => n === '')) throw new ApiError(400, 'names is required: the images to save (?names=IMAGE, repeatable)');
  // resolve the names before the 200, so a missing image is a 404 the client can show
  for (const name of names) await ask(ctx, 'image.inspect', { name });
  const sink = ctx.stream('application/x-tar');
  await callHandler(ctx.handlers, 'image.save', { names }, {
    onEvent: (ev) => {
      if (ev.kind === 'data') sink.write(Buffer.from(ev.data));
    },
    drained: sink.drained,
    signal: sink.signal,
  }).catch((err) => {
    // mid-archive: only cutting the connection tells the client the tar is incomplete
    ctx.res?.destroy(err instanceof Error ? err : new Error(messageOf(err)));
  });
}

export const imageTransferRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/images\/get$/,
    run: (ctx) => save(ctx, ctx.query.getAll('names')),
  },
  {
    method: 'GET',
    path: /^\/images\/(.+)\/get$/,
    run: (ctx) => save(ctx, [ctx.params[0]]),
  },
  {
    method: 'POST',
    path: /^\/images\/load$/,
    async run(ctx) {
      const quiet = boolQuery(ctx.query, 'quiet');
      const sink = ctx.stream('application/json');
      const out = jsonLines(sink);
      try {
        const r = await callHandler<LoadResult>(ctx.handlers, 'image.load', {}, {
          upload: ctx.req as AsyncIterable<Uint8Array>,
          onEvent: (ev) => {
            const m = quiet ? null : progressMessage(ev);
            if (m) out.line(m);
          },
          signal: sink.signal,
        });
        for (const name of r.loaded) out.line({ stream: name.startsWith('sha256:') ? `Loaded image ID: ${name}\n` : `Loaded image: ${name}\n` });
      } catch (err) {
        out.fail(err);
      }
    },
  },
  {
    method: 'POST',
    path: /^\/images\/(.+)\/push$/,
    async run(ctx) {
      const tag = ctx.query.get('tag');
      const ref = tag ? `${ctx.params[0]}:${tag}` : ctx.params[0];
      const auth = registryAuth(ctx.req.headers['x-registry-auth']);
      // an image that is not here is a 404 before the stream starts, as Docker answers it
      await ask(ctx, 'image.inspect', { name: ref }).catch((err) => {
        throw statusOf(err) === 404 ? new ApiError(404, `An image does not exist locally with the tag: ${ref}`) : err;
      });
      const sink = ctx.stream('application/json');
      const out = jsonLines(sink);
      try {
        const r = await callHandler<PushResult>(ctx.handlers, 'image.push', { ref, ...(auth ? { auth } : {}) }, {
          onEvent: (ev) => {
            const m = progressMessage(ev);
            if (m) out.line(m);
          },
          signal: sink.signal,
        });
        const pushedTag = tag || 'latest';
        out.line({ status: `${pushedTag}: digest: ${r.digest} size: ${r.size}` });
        out.line({ progressDetail: {}, aux: { Tag: pushedTag, Digest: r.digest, Size: r.size } });
      } catch (err) {
        out.fail(err);
      }
    },
  },
  {
    method: 'POST',
    path: /^\/images\/prune$/,
    async run(ctx) {
      const filters = filtersQuery(ctx.query) ?? {};
      for (const key of Object.keys(filters)) {
        if (key !== 'dangling') throw new ApiError(400, `image prune filter '${key}' is not supported by Berth: use dangling=true|false`);
      }
      const all = (filters.dangling ?? []).some((v) => v === 'false' || v === '0');
      const r = await ask<ImagePruneResult>(ctx, 'image.prune', { all });
      sendJson(ctx.res!, 200, {
        ImagesDeleted: r.deleted.map((i) => (i.untagged ? { Untagged: i.untagged } : { Deleted: i.deleted })),
        SpaceReclaimed: r.spaceReclaimed,
      });
    },
  },
];
