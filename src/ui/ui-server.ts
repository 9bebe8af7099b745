// The visualizer's HTTP + websocket server. Binds where --ui-addr says
// (127.0.0.1 by default) and answers nothing without the daemon's token.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { MetadataDb } from '../store/db.js';
import type { ActorRouter } from '../workers/router.js';
import { allMachineCharts } from './machine-graphs.js';
import { actorHistory, latestPerActor } from './ui-data.js';
import { LiveFeed } from './live-feed.js';
import { tokenMatches } from './ui-token.js';

export interface UiServer { url: string; close(): Promise<void> }

const PAGE = (token: string) => `<!doctype html>
<html><head><meta charset="utf-8"><title>Berth state visualizer</title>
<link rel="stylesheet" href="app.css?token=${token}"></head>
<body><div id="app"></div><script src="app.js?token=${token}"></script></body></html>`;

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

const json = (res: ServerResponse, v: unknown) => send(res, 200, 'application/json', JSON.stringify(v));

/** A running container's resource figures (ContainerService.stats), for the page's stats panel. */
export type StatsSource = (containerId: string) => Promise<unknown>;

export async function startUiServer(opts: { host: string; port: number; token: string; assetsDir: string; db: MetadataDb; router: ActorRouter; stats: StatsSource }): Promise<UiServer> {
  const feed = new LiveFeed(opts.db, opts.router);
  const authorised = (req: IncomingMessage, url: URL) => tokenMatches(opts.token, url.searchParams.get('token') ?? req.headers['x-berth-token']?.toString());
  const asset = async (res: ServerResponse, file: string, type: string) => {
    try {
      send(res, 200, type, await readFile(join(opts.assetsDir, file)));
    } catch {
      send(res, 500, 'text/plain', `the visualizer's ${file} is missing from ${opts.assetsDir}: run \`npm run build:ui\`\n`);
    }
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!authorised(req, url)) return send(res, 401, 'text/plain', 'unauthorised: open the URL that `berth ui` prints (it carries the token)\n');
    if (req.method !== 'GET') return send(res, 405, 'text/plain', 'only GET is served\n');
    switch (url.pathname) {
      case '/': return send(res, 200, 'text/html; charset=utf-8', PAGE(opts.token));
      case '/app.js': return void asset(res, 'app.js', 'text/javascript');
      case '/app.css': return void asset(res, 'app.css', 'text/css');
      case '/api/machines': return json(res, allMachineCharts());
      case '/api/actors': return json(res, latestPerActor(opts.db, (id) => opts.router.hostFor(id)));
      case '/api/journal': {
        const actor = url.searchParams.get('actor');
        if (!actor) return send(res, 400, 'text/plain', 'missing ?actor=<actor id>\n');
        return json(res, actorHistory(opts.db, actor));
      }
      case '/api/stats': {
        const id = url.searchParams.get('container');
        if (!id) return send(res, 400, 'text/plain', 'missing ?container=<container id>\n');
        opts.stats(id).then((v) => json(res, v), (err: Error) => send(res, 409, 'text/plain', `${err.message}\n`));
        return;
      }
      default: return send(res, 404, 'text/plain', `no such page: ${url.pathname}\n`);
    }
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/ws' || !authorised(req, url)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nconnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws: WebSocket) => {
      const stop = feed.watch((msg) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
      });
      ws.on('close', stop);
      ws.on('error', stop);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  server.on('error', (err) => process.stderr.write(`berthd: ui server: ${err.message}\n`));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  const hostPart = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    url: `http://${hostPart}:${port}/?token=${opts.token}`,
    close: async () => {
      feed.close();
      for (const c of wss.clients) c.terminate();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
