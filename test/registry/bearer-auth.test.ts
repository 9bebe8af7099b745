// Anonymous bearer-token auth: a small HTTP front in front of the real
// registry demands a token (401 + WWW-Authenticate: Bearer …), hands one out
// at its /token endpoint, and forwards authorised requests to the registry.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BerthError } from '../../src/errors.js';
import { parseReference } from '../../src/image/reference.js';
import { parseBearerChallenge } from '../../src/registry/bearer-auth.js';
import { RegistryClient } from '../../src/registry/client.js';
import { pushBusybox, type BusyboxLayout } from '../fixtures/busybox-image.js';
import { startRegistry, type TestRegistry } from '../fixtures/registry.js';

let registry: TestRegistry;
let front: Server;
let frontHost: string;
let image: BusyboxLayout;
const TOKEN = 'berth-test-token';
const tokenRequests: string[] = [];
let tokenStatus = 200;

beforeAll(async () => {
  registry = await startRegistry();
  image = await pushBusybox(registry.host);
  front = createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${frontHost}`);
    if (url.pathname === '/token') {
      tokenRequests.push(`${url.searchParams.get('service')} ${url.searchParams.get('scope')}`);
      res.writeHead(tokenStatus, { 'content-type': 'application/json' });
      res.end(tokenStatus === 200 ? JSON.stringify({ token: TOKEN }) : JSON.stringify({ errors: [{ code: 'DENIED', message: 'no anonymous access' }] }));
      return;
    }
    if (req.headers.authorization !== `Bearer ${TOKEN}`) {
      const repo = /^\/v2\/(.+)\/(?:manifests|blobs)\//.exec(url.pathname)?.[1] ?? '';
      res.writeHead(401, {
        'content-type': 'application/json',
        'www-authenticate': `Bearer realm="http://${frontHost}/token",service="berth-test",scope="repository:${repo}:pull"`,
      });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      return;
    }
    fetch(`http://${registry.host}${url.pathname}`, { headers: { accept: req.headers.accept ?? '*/*' } }).then(async (up) => {
      const headers: Record<string, string> = {};
      up.headers.forEach((v, k) => { headers[k] = v; });
      res.writeHead(up.status, headers);
      res.end(Buffer.from(await up.arrayBuffer()));
    }, (err: Error) => { res.writeHead(502); res.end(err.message); });
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', () => resolve()));
  frontHost = `127.0.0.1:${(front.address() as { port: number }).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => front?.close(resolve));
  await registry?.stop();
});

describe('bearer-token auth', () => {
  it('parses a Bearer challenge', () => {
    expect(parseBearerChallenge('Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a/b:pull"'))
      .toEqual({ realm: 'https://auth.example/token', service: 'registry.example', scope: 'repository:a/b:pull' });
    expect(parseBearerChallenge('Basic realm="x"')).toBeUndefined();
    expect(parseBearerChallenge(null)).toBeUndefined();
  });

  it('answers the challenge with an anonymous token and reuses it', async () => {
    tokenRequests.length = 0;
    const client = new RegistryClient();
    const ref = parseReference(`${frontHost}/busybox:latest`);
    const m = await client.getManifest(ref);
    expect(m.digest).toBe(image.manifest.digest);
    const chunks: Buffer[] = [];
    await client.fetchBlob(ref, image.config, async (s) => { for await (const c of s) chunks.push(c as Buffer); });
    expect(JSON.parse(Buffer.concat(chunks).toString()).architecture).toBe('amd64');
    expect(tokenRequests).toEqual(['berth-test repository:busybox:pull']);
  });

  it('a refused token request is a registry_error with the auth server message', async () => {
    tokenStatus = 403;
    try {
      const e = await new RegistryClient().getManifest(parseReference(`${frontHost}/busybox:latest`)).catch((err: unknown) => err);
      expect(e).toBeInstanceOf(BerthError);
      expect((e as BerthError).code).toBe('registry_error');
      expect((e as BerthError).message).toMatch(/403 .*no anonymous access/);
    } finally {
      tokenStatus = 200;
    }
  });
});
