// /containers/…: Docker's container endpoints over Berth's container calls.
import type { StreamEvent } from '../protocol/frames.js';
import type { ContainerSummary } from '../protocol/methods.js';
import type { WaitResult } from '../protocol/container-methods.js';
import { callHandler } from './handler-call.js';
import { ApiError, boolQuery, filtersQuery, messageOf, sendEmpty, sendJson, statusOf } from './http-util.js';
import { createParams, dockerContainerSummary, type DockerCreateBody } from './container-shapes.js';
import { MULTIPLEXED, RAW_STREAM, stdFrame } from './stdcopy.js';
import type { Route, RouteContext, Sink } from './route.js';

const ID = '([^/]+)';
const re = (path: string) => new RegExp(`^${path.replaceAll('{id}', ID)}$`);

async function isTty(ctx: RouteContext, id: string): Promise<boolean> {
  const info = await callHandler<{ Config?: { Tty?: boolean } }>(ctx.handlers, 'container.inspect', { id }, { signal: new AbortController().signal });
  return info.Config?.Tty === true;
}

/** Output events as Docker writes them: raw for a TTY, else in 8-byte-header frames. */
export function outputWriter(sink: Sink, tty: boolean, want: { stdout: boolean; stderr: boolean }): (ev: StreamEvent) => void {
  return (ev) => {
    if (ev.kind !== 'output') return;
    if ((ev.stream === 1 && !want.stdout) || (ev.stream === 2 && !want.stderr)) return;
    sink.write(tty ? Buffer.from(ev.data) : stdFrame(ev.stream, ev.data));
  };
}

const simple = (method: string, params: (ctx: RouteContext) => Record<string, unknown>, status = 204): Route['run'] =>
  async (ctx) => {
    await callHandler(ctx.handlers, method, params(ctx), { signal: new AbortController().signal });
    sendEmpty(ctx.res!, status);
  };

const WAIT_CONDITIONS = ['not-running', 'next-exit', 'removed'];

export const containerRoutes: Route[] = [
  {
    method: 'POST',
    path: re('/containers/create'),
    async run(ctx) {
      const params = createParams(await ctx.body<DockerCreateBody>(), ctx.query.get('name'));
      // Docker answers a missing image with 404 (the client pulls); Berth's own create would pull itself.
      await callHandler(ctx.handlers, 'image.inspect', { name: params.image }, { signal: new AbortController().signal }).catch((err) => {
        if (statusOf(err) === 404) throw new ApiError(404, `No such image: ${params.image}`);
        throw err;
      });
      const r = await callHandler<{ id: string; warnings: string[] }>(ctx.handlers, 'container.create', { ...params }, { signal: new AbortController().signal });
      sendJson(ctx.res!, 201, { Id: r.id, Warnings: r.warnings });
    },
  },
  {
    method: 'GET',
    path: re('/containers/json'),
    async run(ctx) {
      const limit = Number(ctx.query.get('limit') ?? 0);
      const rows = await callHandler<ContainerSummary[]>(ctx.handlers, 'container.list', {
        all: boolQuery(ctx.query, 'all'),
        filters: filtersQuery(ctx.query),
        ...(limit > 0 ? { limit } : {}),
      }, { signal: new AbortController().signal });
      sendJson(ctx.res!, 200, rows.map((r) => dockerContainerSummary(r)));
    },
  },
  {
    method: 'GET',
    path: re('/containers/{id}/json'),
    async run(ctx) {
      sendJson(ctx.res!, 200, await callHandler(ctx.handlers, 'container.inspect', { id: ctx.params[0] }, { signal: new AbortController().signal }));
    },
  },
  { method: 'POST', path: re('/containers/{id}/start'), run: simple('container.start', (c) => ({ id: c.params[0] })) },
  {
    method: 'POST',
    path: re('/containers/{id}/stop'),
    run: simple('container.stop', (c) => ({ id: c.params[0], ...(c.query.has('t') ? { timeout: Number(c.query.get('t')) } : {}) })),
  },
  {
    method: 'POST',
    path: re('/containers/{id}/restart'),
    run: simple('container.restart', (c) => ({ id: c.params[0], ...(c.query.has('t') ? { timeout: Number(c.query.get('t')) } : {}) })),
  },
  {
    method: 'POST',
    path: re('/containers/{id}/kill'),
    run: simple('container.kill', (c) => ({ id: c.params[0], ...(c.query.get('signal') ? { signal: c.query.get('signal') } : {}) })),
  },
  { method: 'POST', path: re('/containers/{id}/pause'), run: simple('container.pause', (c) => ({ id: c.params[0] })) },
  { method: 'POST', path: re('/containers/{id}/unpause'), run: simple('container.unpause', (c) => ({ id: c.params[0] })) },
  { method: 'POST', path: re('/containers/{id}/rename'), run: simple('container.rename', (c) => ({ id: c.params[0], name: c.query.get('name') ?? '' })) },
  {
    method: 'POST',
    path: re('/containers/{id}/resize'),
    run: simple('container.resize', (c) => ({ id: c.params[0], rows: Number(c.query.get('h')), cols: Number(c.query.get('w')) }), 200),
  },
  {
    method: 'DELETE',
    path: re('/containers/{id}'),
    run: simple('container.remove', (c) => ({ id: c.params[0], force: boolQuery(c.query, 'force') })),
  },
  {
    method: 'POST',
    path: re('/containers/{id}/wait'),
    async run(ctx) {
      const condition = ctx.query.get('condition') || 'not-running';
      if (!WAIT_CONDITIONS.includes(condition)) throw new ApiError(400, `invalid condition "${condition}": use not-running, next-exit or removed`);
      const res = ctx.res!;
      // Docker sends the headers at once and the body when the wait is over, so what
      // would fail the wait at once (no such container) is checked first: an error status, not a 200.
      const signal = new AbortController().signal;
      await callHandler(ctx.handlers, 'container.inspect', { id: ctx.params[0] }, { signal });
      const waiting = callHandler<WaitResult>(ctx.handlers, 'container.wait', { id: ctx.params[0], condition }, { signal });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.flushHeaders();
      try {
        const r = await waiting;
        res.end(JSON.stringify({ StatusCode: r.exitCode, Error: r.error ? { Message: r.error } : null }));
      } catch (err) {
        res.end(JSON.stringify({ StatusCode: -1, Error: { Message: messageOf(err) } }));
      }
    },
  },
  {
    method: 'GET',
    path: re('/containers/{id}/logs'),
    async run(ctx) {
      const id = ctx.params[0];
      const q = ctx.query;
      const tty = await isTty(ctx, id);
      const tail = q.get('tail');
      const params: Record<string, unknown> = { id, follow: boolQuery(q, 'follow'), timestamps: boolQuery(q, 'timestamps') };
      if (tail && tail !== 'all') params.tail = Number(tail);
      if (q.get('since') && q.get('since') !== '0') params.since = q.get('since');
      if (q.get('until') && q.get('until') !== '0') params.until = q.get('until');
      const sink = ctx.stream(tty ? RAW_STREAM : MULTIPLEXED);
      await callHandler(ctx.handlers, 'container.logs', params, {
        onEvent: outputWriter(sink, tty, { stdout: boolQuery(q, 'stdout'), stderr: boolQuery(q, 'stderr') }),
        drained: sink.drained,
        signal: sink.signal,
      });
    },
  },
  {
    method: 'POST',
    path: re('/containers/{id}/attach'),
    async run(ctx) {
      const id = ctx.params[0];
      const q = ctx.query;
      if (!boolQuery(q, 'stream')) throw new ApiError(501, 'attach without stream=1 (logs replay) is not supported: use the logs endpoint');
      const tty = await isTty(ctx, id);
      const stdin = boolQuery(q, 'stdin');
      const sink = ctx.stream(tty ? RAW_STREAM : MULTIPLEXED);
      await callHandler(ctx.handlers, 'container.attach', { id, stdin, beforeStart: true }, {
        onEvent: outputWriter(sink, tty, { stdout: boolQuery(q, 'stdout'), stderr: boolQuery(q, 'stderr') }),
        drained: sink.drained,
        upload: stdin ? sink.stdin : undefined,
        signal: sink.signal,
      });
    },
  },
  {
    method: 'GET',
    path: re('/containers/{id}/top'),
    async run(ctx) {
      const r = await callHandler<{ titles: string[]; processes: string[][] }>(ctx.handlers, 'container.top', { id: ctx.params[0] }, { signal: new AbortController().signal });
      sendJson(ctx.res!, 200, { Titles: r.titles, Processes: r.processes });
    },
  },
  {
    method: 'POST',
    path: re('/containers/prune'),
    async run(ctx) {
      const r = await callHandler<{ deleted: string[] }>(ctx.handlers, 'container.prune', {}, { signal: new AbortController().signal });
      sendJson(ctx.res!, 200, { ContainersDeleted: r.deleted, SpaceReclaimed: 0 });
    },
  },
];
