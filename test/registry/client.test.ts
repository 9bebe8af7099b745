import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseImageConfig, parseManifest, selectPlatform } from '../../src/image/manifest.js';
import * as MT from '../../src/image/media-types.js';
import { parseReference } from '../../src/image/reference.js';
import { RegistryClient } from '../../src/registry/client.js';
import { RegistryHttpError } from '../../src/registry/registry-errors.js';
import { ContentStore } from '../../src/store/content-store.js';
import { pushBusybox, pushBusyboxMultiPlatform, pushBusyboxSchema2, type BusyboxLayout, type MultiPlatformLayout } from '../fixtures/busybox-image.js';
import { startRegistry, type TestRegistry } from '../fixtures/registry.js';
import { rejection } from '../fixtures/stand-ins.js';

let registry: TestRegistry;
let oci: BusyboxLayout;
let multi: MultiPlatformLayout;
let storeRoot: string;
const client = new RegistryClient();

beforeAll(async () => {
  registry = await startRegistry();
  oci = await pushBusybox(registry.host);
  await pushBusyboxSchema2(registry.host);
  multi = await pushBusyboxMultiPlatform(registry.host);
  storeRoot = mkdtempSync(join(tmpdir(), 'berth-store-'));
});

afterAll(async () => {
  await registry?.stop();
  if (storeRoot) rmSync(storeRoot, { recursive: true, force: true });
});

/** Pulls manifest → config → layers into a fresh store, like the pull machine will. */
async function pull(refString: string, store: ContentStore) {
  const ref = parseReference(refString);
  let m = await client.getManifest(ref);
  let parsed = parseManifest(m.bytes, m.mediaType);
  if (parsed.kind === 'index') {
    const chosen = selectPlatform(parsed.index, { os: 'linux', architecture: 'amd64' });
    m = await client.getManifest(ref, { digest: chosen.digest });
    parsed = parseManifest(m.bytes, m.mediaType);
  }
  if (parsed.kind !== 'manifest') throw new Error('nested index');
  await store.writeBytes(m.bytes, m.digest);
  const { config, layers } = parsed.manifest;
  await client.fetchBlob(ref, config, (s) => store.ingestStream(s, config));
  for (const layer of layers) await client.fetchBlob(ref, layer, (s) => store.ingestStream(s, layer));
  return { manifest: parsed.manifest, mediaType: m.mediaType, digest: m.digest };
}

describe('RegistryClient against docker-registry', () => {
  it('pulls an OCI image: manifest digest, config and layer verified into the store', async () => {
    const store = new ContentStore(join(storeRoot, 'oci'));
    const r = await pull(`${registry.host}/busybox:latest`, store);
    expect(r.mediaType).toBe(MT.OCI_MANIFEST);
    expect(r.digest).toBe(oci.manifest.digest);
    const config = parseImageConfig(await store.readBytes(r.manifest.config.digest));
    expect(config.config?.Cmd).toEqual(['sh']);
    const tar = gunzipSync(readFileSync(store.path(oci.layer.digest)));
    expect(`sha256:${createHash('sha256').update(tar).digest('hex')}`).toBe(config.rootfs.diff_ids[0]);
  });

  it('pulls by digest', async () => {
    const m = await client.getManifest(parseReference(`${registry.host}/busybox@${oci.manifest.digest}`));
    expect(m.digest).toBe(oci.manifest.digest);
  });

  it('pulls a Docker schema 2 image', async () => {
    const store = new ContentStore(join(storeRoot, 'v2s2'));
    const r = await pull(`${registry.host}/busybox-v2s2`, store);
    expect(r.mediaType).toBe(MT.DOCKER_MANIFEST_V2);
    expect(r.manifest.config.mediaType).toBe(MT.DOCKER_CONFIG);
    expect(r.manifest.layers[0]!.mediaType).toBe(MT.DOCKER_LAYER_TAR_GZIP);
    expect(await store.has(r.manifest.layers[0]!.digest)).toBe(true);
  });

  it('resolves a multi-platform index to linux/amd64', async () => {
    const ref = parseReference(`${registry.host}/busybox-multi`);
    const top = await client.getManifest(ref);
    expect(top.mediaType).toBe(MT.OCI_INDEX);
    expect(top.digest).toBe(multi.index.digest);
    const store = new ContentStore(join(storeRoot, 'multi'));
    const r = await pull(`${registry.host}/busybox-multi`, store);
    expect(r.digest).toBe(multi.amd64.manifest.digest);
    const parsed = parseManifest(top.bytes, top.mediaType);
    if (parsed.kind !== 'index') throw new Error('expected index');
    expect(() => selectPlatform(parsed.index, { os: 'linux', architecture: 'ppc64le' })).toThrow(/available platforms: linux\/arm64\/v8, linux\/amd64/);
  });

  it('a manifest whose bytes do not match its digest is a digest_mismatch', async () => {
    const dataPath = registry.blobDataPath(multi.arm64Manifest.digest);
    const original = readFileSync(dataPath);
    writeFileSync(dataPath, Buffer.from(original.toString().replace('"schemaVersion":2', '"schemaVersion": 2')));
    try {
      const byDigest = await rejection(client.getManifest(parseReference(`${registry.host}/busybox-multi@${multi.arm64Manifest.digest}`)));
      expect(byDigest.code).toBe('digest_mismatch');
      expect(byDigest.message).toContain(`not the requested ${multi.arm64Manifest.digest}`);
    } finally {
      writeFileSync(dataPath, original);
    }
  });

  it('unknown tags and repositories are registry_error with the registry message', async () => {
    const e = await rejection(client.getManifest(parseReference(`${registry.host}/busybox:nope`)));
    expect(e).toBeInstanceOf(RegistryHttpError);
    expect((e as RegistryHttpError).status).toBe(404);
    expect(e.message).toMatch(/manifest unknown/);
    const e2 = await rejection(client.getManifest(parseReference(`${registry.host}/nothing-here:latest`)));
    expect(e2.code).toBe('registry_error');
    expect(e2.message).toMatch(/unknown/);
  });

  it('a refused connection names the registry', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const e = await rejection(client.getManifest(parseReference(`127.0.0.1:${port}/busybox`)));
    expect(e.code).toBe('registry_error');
    expect(e.message).toMatch(new RegExp(`registry 127\\.0\\.0\\.1:${port} .*connection refused.*not running or not reachable`));
  });

  it('a blob whose size differs from the descriptor is refused', async () => {
    const ref = parseReference(`${registry.host}/busybox`);
    const e = await rejection(client.fetchBlob(ref, { ...oci.config, size: oci.config.size + 1 }, new Writable({ write: (_c, _e, cb) => cb() })));
    expect(e.code).toBe('digest_mismatch');
  });

  it('a corrupt blob in the registry fails the pull and nothing is stored', async () => {
    await pushBusybox(registry.host, 'corrupt', 'latest');
    const dataPath = registry.blobDataPath(oci.layer.digest);
    const original = readFileSync(dataPath);
    const corrupt = Buffer.from(original);
    corrupt[corrupt.length >> 1] ^= 0xff;
    writeFileSync(dataPath, corrupt);
    try {
      const store = new ContentStore(join(storeRoot, 'corrupt'));
      const e = await rejection(pull(`${registry.host}/corrupt:latest`, store));
      expect(e.code).toBe('digest_mismatch');
      expect(e.message).toContain(oci.layer.digest);
      expect(await store.has(oci.layer.digest)).toBe(false);
      expect(readdirSync(store.ingestDir)).toEqual([]);
      // a sink that pipes the stream on (stream.pipe(x)) still sees the error, and stores nothing
      const piped = await rejection(client.fetchBlob(parseReference(`${registry.host}/corrupt`), oci.layer,
        (stream) => store.ingestStream(stream.pipe(new PassThrough()), oci.layer)));
      expect(piped.code).toBe('digest_mismatch');
      expect(await store.has(oci.layer.digest)).toBe(false);
      expect(readdirSync(store.ingestDir)).toEqual([]);
      // a Writable sink sees the same error
      const e2 = await rejection(client.fetchBlob(parseReference(`${registry.host}/corrupt`), oci.layer, new Writable({ write: (_c, _e, cb) => cb() })));
      expect(e2.code).toBe('digest_mismatch');
    } finally {
      writeFileSync(dataPath, original);
    }
  });
});
