// The Docker Engine API on its own unix socket (berthd --docker-socket): a
// thin HTTP wrapper over the same method handlers the control channel
// serves, so docker, docker-compose and the SDKs drive Berth's actors.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { rm } from 'node:fs/promises';
import { listenUnix } from '../daemon/unix-listen.js';
import type { Handlers } from './handler-call.js';
import { closeSignal } from './handler-call.js';
import { ApiError, messageOf, readJsonBody, sendError, statusOf } from './http-util.js';
import { readUpgradeBody, upgrade, type Hijacked } from './hijack.js';
import { API_VERSION, MIN_API_VERSION, systemRoutes } from './system-routes.js';
import { containerRoutes } from './container-routes.js';
import { containerFsRoutes } from './container-fs-routes.js';
import { containerStatsRoutes } from './container-stats-routes.js';
import { imageRoutes } from './image-routes.js';
import { execRoutes } from './exec-routes.js';
import { volumeRoutes } from './volume-routes.js';
import { networkRoutes } from './network-routes.js';
import { dfAuthRoutes } from './df-auth-routes.js';
import { imageTransferRoutes } from './image-transfer-routes.js';
import type { Route, RouteContext, Sink } from './route.js';

/** One server's routes (exec records live with them). */
function routeTable(): Route[] {
  return [
    ...systemRoutes, ...execRoutes(), ...containerRoutes, ...containerFsRoutes, ...containerStatsRoutes,
    ...imageTransferRoutes, ...imageRoutes, ...volumeRoutes, ...networkRoutes, ...dfAuthRoutes,
  ];
}
const UNSUPPORTED = /^\/(swarm|nodes|services|tasks|secrets|configs|plugins|build|session|distribution)(\/|$)/;

export interface DockerApiServer {
  close(): Promise<void>;
}

const versionNumber = (v: string) => v.split('.').reduce((acc, x) => acc * 1000 + Number(x), 0);

/** Strips /v1.NN; refuses versions Berth does not speak. */
function splitVersion(url: string): { path: string; query: URLSearchParams } {
  const u = new URL(url, 'http://docker');
  let path: string;
  try {
    path = decodeURIComponent(u.pathname);
  } catch {
    throw new ApiError(400, `malformed request path ${u.pathname}: a %-escape is not valid UTF-8`);
  }
  const m = /^\/v(\d+\.\d+)(\/.*)$/.exec(path);
  if (m) {
    if (versionNumber(m[1]) > versionNumber(API_VERSION)) {
      throw new ApiError(400, `client version ${m[1]} is too new. Maximum supported API version is ${API_VERSION}`);
    }
    if (versionNumber(m[1]) < versionNumber(MIN_API_VERSION)) {
      throw new ApiError(400, `client version ${m[1]} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
    }
    path = m[2];
  }
  return { path, query: u.searchParams };
}

function findRoute(routes: Route[], method: string, path: string): { route: Route; params: string[] } {
  for (const route of routes) {
    if (route.method !== method) continue;
    const m = route.path.exec(path);
    if (m) return { route, params: m.slice(1) };
  }
  if (UNSUPPORTED.test(path)) throw new ApiError(501, `${path.split('/')[1]} is not supported by Berth`);
  throw new ApiError(404, `page not found: ${method} ${path}`);
}

function responseSink(res: ServerResponse, contentType: string): Sink {
  if (!res.headersSent) {
    res.writeHead(200, { 'Content-Type': contentType });
    res.flushHeaders();
  }
  return {
    write: (data) => {
      if (!res.destroyed) res.write(data);
    },
    drained: () =>
      res.writableNeedDrain && !res.destroyed ? new Promise<void>((r) => { res.once('drain', () => r()); res.once('close', () => r()); }) : Promise.resolve(),
    signal: closeSignal(res),
  };
}

function hijackSink(h: Hijacked): Sink {
  return { write: h.write, drained: h.drained, signal: h.signal, stdin: h.stdin };
}

function commonHeaders(res: ServerResponse): void {
  res.setHeader('Api-Version', API_VERSION);
  res.setHeader('Server', `Berth (linux)`);
  res.setHeader('Docker-Experimental', 'false');
  res.setHeader('Ostype', 'linux');
}

async function serve(req: IncomingMessage, res: ServerResponse, handlers: Handlers, routes: Route[]): Promise<void> {
  commonHeaders(res);
  try {
    const { path, query } = splitVersion(req.url ?? '/');
    const { route, params } = findRoute(routes, req.method ?? 'GET', path);
    const ctx: RouteContext = {
      req,
      res,
      params,
      query,
      handlers,
      body: <T>() => readJsonBody<T>(req),
      stream: (type) => responseSink(res, type),
    };
    await route.run(ctx);
    if (!res.writableEnded) res.end();
  } catch (err) {
    sendError(res, err);
  }
}

async function serveUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, handlers: Handlers, routes: Route[]): Promise<void> {
  let hijacked: Hijacked | undefined;
  try {
    const { path, query } = splitVersion(req.url ?? '/');
    const { route, params } = findRoute(routes, req.method ?? 'POST', path);
    if (!/\/(attach|start)$/.test(path)) throw new ApiError(400, `${path} cannot be upgraded to a raw stream`);
    const { body, rest } = await readUpgradeBody(req, socket, head);
    const ctx: RouteContext = {
      req,
      params,
      query,
      handlers,
      body: async <T>() => {
        if (body.length === 0) return null;
        try {
          return JSON.parse(body.toString('utf8')) as T;
        } catch {
          throw new ApiError(400, 'the request body is not valid JSON');
        }
      },
      // the 101 goes out once the route knows the stream's type (raw for a TTY)
      stream: (type) => hijackSink((hijacked ??= upgrade(socket, body, rest, type))),
    };
    await route.run(ctx);
    if (!hijacked) {
      // the route answered without streaming (exec start detached)
      socket.end('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    hijacked.close();
  } catch (err) {
    if (hijacked) {
      // after the 101 there is no status line left to send: end the stream
      hijacked.close();
      return;
    }
    const text = JSON.stringify({ message: messageOf(err) });
    socket.end(`HTTP/1.1 ${statusOf(err)} Error\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`);
  }
}

export async function startDockerApi(socketPath: string, handlers: Handlers, opts: { gid: number | null }): Promise<DockerApiServer> {
  const routes = routeTable();
  const server: Server = createServer((req, res) => void serve(req, res, handlers, routes));
  server.on('upgrade', (req, socket, head) => void serveUpgrade(req, socket, head, handlers, routes));
  await listenUnix(server, socketPath, opts.gid);
  return {
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
      await rm(socketPath, { force: true });
    },
  };
}

