// GET requests with node:http (http-get.ts): redirects followed with the
// Authorization header kept only for the original origin, the response as a
// fetch Response, a registry that never answers is a transient error naming it.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainGet, toResponse } from '../../src/registry/http-get.js';

function listen(handler: (req: IncomingMessage, res: import('node:http').ServerResponse) => void): Promise<{ server: Server; base: string }> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

describe('plainGet', () => {
  const seen: Array<{ where: string; auth: string | undefined }> = [];
  let origin: { server: Server; base: string };
  let other: { server: Server; base: string };
  beforeAll(async () => {
    other = await listen((req, res) => {
      seen.push({ where: 'other', auth: req.headers.authorization });
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'x-n': ['1', '2'] }).end('blob bytes');
    });
    origin = await listen((req, res) => {
      seen.push({ where: `origin${req.url}`, auth: req.headers.authorization });
      if (req.url === '/same') res.writeHead(307, { location: '/final' }).end();
      else if (req.url === '/cross') res.writeHead(302, { location: `${other.base}/blob` }).end();
      else if (req.url === '/hang') { /* never answers */ }
      else res.writeHead(200).end('final');
    });
  });
  afterAll(() => {
    origin.server.closeAllConnections();
    origin.server.close();
    other.server.close();
  });

  it('follows redirects, sending Authorization only to the original origin', async () => {
    seen.length = 0;
    const same = await plainGet({ url: `${origin.base}/same`, host: 'origin', headers: { authorization: 'Bearer t' }, headersTimeoutMs: 5000 });
    expect(await toResponse(same, 'GET').text()).toBe('final');
    const cross = await plainGet({ url: `${origin.base}/cross`, host: 'origin', headers: { authorization: 'Bearer t' }, headersTimeoutMs: 5000 });
    const res = toResponse(cross, 'GET');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-n')).toBe('1, 2');
    expect(await res.text()).toBe('blob bytes');
    expect(seen).toEqual([
      { where: 'origin/same', auth: 'Bearer t' },
      { where: 'origin/final', auth: 'Bearer t' },
      { where: 'origin/cross', auth: 'Bearer t' },
      { where: 'other', auth: undefined },
    ]);
  });

  it('a registry that sends no headers in time is a transient error naming it', async () => {
    const err = await plainGet({ url: `${origin.base}/hang`, host: 'reg.test', what: 'manifest x', headers: {}, headersTimeoutMs: 300 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'registry_error', transient: true });
    expect((err as Error).message).toMatch(/registry reg.test did not answer within 0 s for manifest x/);
  });

  it('a refused connection is a clear error', async () => {
    const gone = await listen(() => undefined);
    const port = (gone.server.address() as AddressInfo).port;
    await new Promise((r) => gone.server.close(r));
    await expect(plainGet({ url: `http://127.0.0.1:${port}/x`, host: `127.0.0.1:${port}`, headers: {}, headersTimeoutMs: 5000 })).rejects.toThrow(/connection refused/);
  });
});
