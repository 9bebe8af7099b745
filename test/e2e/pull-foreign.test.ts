// The blob server runs in this process: drive the CLI with berthAsync.
// Foreign (Docker) and non-distributable (OCI) layers: the manifest names
// URLs for the layer and the registry does not hold its blob. The pull
// fetches it from those URLs (a loopback server here), never from the
// registry, verifies it like any blob and unpacks it.
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { startRegistry, type TestRegistry } from '../fixtures/registry.js';
import { startFaultProxy, type FaultProxy } from '../fixtures/fault-proxy.js';
import { buildLayeredImage, seededBytes, type Descriptor } from '../registry/layered-image.js';

let registry: TestRegistry;
let proxy: FaultProxy;
let daemon: TestDaemon;
let blobServer: Server;
let blobHost: string;
const served = new Map<string, Buffer>();
const blobRequests: string[] = [];

beforeAll(async () => {
  registry = await startRegistry({ allowManifestUrls: '^http://127\\.0\\.0\\.1:' });
  proxy = await startFaultProxy(registry.host);
  blobServer = createServer((req, res) => {
    blobRequests.push(req.url ?? '');
    const body = served.get(req.url ?? '');
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': String(body.length), 'content-type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((r) => blobServer.listen(0, '127.0.0.1', () => r()));
  blobHost = `127.0.0.1:${(blobServer.address() as { port: number }).port}`;
  daemon = await startDaemon();
});

afterAll(async () => {
  await daemon?.stop();
  await proxy?.stop();
  await registry?.stop();
  await new Promise((r) => blobServer?.close(r));
});

async function uploadBlob(repo: string, bytes: Buffer, digest: string): Promise<void> {
  const start = await fetch(`http://${registry.host}/v2/${repo}/blobs/uploads/`, { method: 'POST' });
  expect(start.status).toBe(202);
  const loc = new URL(start.headers.get('location')!, `http://${registry.host}`);
  loc.searchParams.set('digest', digest);
  const put = await fetch(loc, { method: 'PUT', body: bytes, headers: { 'content-type': 'application/octet-stream' } });
  expect(put.status).toBe(201);
}

/**
 * Pushes REPO:latest whose second layer (one file `data/f`) is foreign: its
 * descriptor gets `mediaType` and a URL on the loopback blob server, and its
 * blob is only on that server. Docker manifests need Docker config/manifest types.
 */
async function pushForeignImage(repo: string, layerType: string, docker: boolean, seed: number): Promise<{ foreign: Descriptor; content: Buffer }> {
  const dir = mkdtempSync('/tmp/berth-foreign-');
  try {
    const content = seededBytes(300_000, seed);
    const img = await buildLayeredImage(dir, [{ files: [{ name: 'data/f', size: content.length, seed }] }]);
    const blob = (d: Descriptor) => readFileSync(join(dir, 'blobs/sha256', d.digest.slice(7)));
    const [base, data] = img.layers as [Descriptor, Descriptor];
    const path = `/foreign/${data.digest.slice(7)}`;
    served.set(path, blob(data));
    await uploadBlob(repo, blob(base), base.digest);
    const configBytes = blob(img.config);
    await uploadBlob(repo, configBytes, img.config.digest);
    const foreign = { ...data, mediaType: layerType, urls: [`http://${blobHost}${path}`] };
    const manifestType = docker ? 'application/vnd.docker.distribution.manifest.v2+json' : 'application/vnd.oci.image.manifest.v1+json';
    const manifest = {
      schemaVersion: 2,
      mediaType: manifestType,
      config: { ...img.config, mediaType: docker ? 'application/vnd.docker.container.image.v1+json' : img.config.mediaType },
      layers: [docker ? { ...base, mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip' } : base, foreign],
    };
    const put = await fetch(`http://${registry.host}/v2/${repo}/manifests/latest`, { method: 'PUT', body: JSON.stringify(manifest), headers: { 'content-type': manifestType } });
    expect(put.status, await put.text()).toBe(201);
    return { foreign, content };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The unpacked file `data/f` of some layer under ROOT/layers. */
function unpackedFile(): Buffer[] {
  const layers = join(daemon.root, 'layers');
  return readdirSync(layers).map((l) => join(layers, l, 'data/f')).filter((p) => existsSync(p)).map((p) => readFileSync(p));
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('foreign and non-distributable layers', () => {
  for (const [name, type, docker, seed] of [
    ['Docker foreign layer', 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', true, 41],
    ['OCI non-distributable layer', 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip', false, 42],
  ] as const) {
    it(`${name}: fetched from its URL, not from the registry, and unpacked`, async () => {
      const repo = docker ? 'foreign-docker' : 'foreign-oci';
      const { foreign, content } = await pushForeignImage(repo, type, docker, seed);
      const before = blobRequests.length;
      const r = await daemon.berthAsync(['pull', `${proxy.host}/${repo}`]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(blobRequests.slice(before)).toEqual([`/foreign/${foreign.digest.slice(7)}`]);
      expect(proxy.blobGets(foreign.digest)).toEqual([]); // the registry was never asked for it
      const stored = readFileSync(join(daemon.root, 'content/blobs/sha256', foreign.digest.slice(7)));
      expect(`sha256:${sha(stored)}`).toBe(foreign.digest);
      expect(unpackedFile().map(sha)).toContain(sha(content));
    });
  }

  it('a foreign layer whose URL fails and that the registry lacks is a clear error', async () => {
    const { foreign } = await pushForeignImage('foreign-gone', 'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip', false, 43);
    served.delete(`/foreign/${foreign.digest.slice(7)}`);
    const r = await daemon.berthAsync(['pull', `${proxy.host}/foreign-gone`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(blobHost);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });
});
