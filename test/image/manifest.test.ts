import { describe, expect, it } from 'vitest';
import { BerthError } from '../../src/errors.js';
import { parseImageConfig, parseManifest, parseImageManifest, selectPlatform } from '../../src/image/manifest.js';
import * as MT from '../../src/image/media-types.js';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const bytes = (o: unknown) => Buffer.from(JSON.stringify(o));
const desc = (mediaType: string, c: string, extra: object = {}) => ({ mediaType, digest: d(c), size: 10, ...extra });

function codeOf(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(BerthError);
    return { code: (err as BerthError).code, message: (err as BerthError).message };
  }
  throw new Error('expected a throw');
}

const ociManifest = { schemaVersion: 2, mediaType: MT.OCI_MANIFEST, config: desc(MT.OCI_CONFIG, 'a'), layers: [desc(MT.OCI_LAYER_TAR_GZIP, 'b')] };
const dockerManifest = { schemaVersion: 2, mediaType: MT.DOCKER_MANIFEST_V2, config: desc(MT.DOCKER_CONFIG, 'a'), layers: [desc(MT.DOCKER_LAYER_TAR_GZIP, 'b')] };
const index = (mediaType: string) => ({
  schemaVersion: 2,
  mediaType,
  manifests: [
    desc(MT.OCI_MANIFEST, '1', { platform: { os: 'linux', architecture: 'arm', variant: 'v7' } }),
    desc(MT.OCI_MANIFEST, '2', { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } }),
    desc(MT.OCI_MANIFEST, '3', { platform: { os: 'linux', architecture: 'amd64' } }),
    desc(MT.OCI_MANIFEST, '4', { platform: { os: 'unknown', architecture: 'unknown' } }),
  ],
});

describe('parseManifest', () => {
  it('reads an OCI image manifest', () => {
    const p = parseManifest(bytes(ociManifest), MT.OCI_MANIFEST);
    expect(p.kind).toBe('manifest');
    expect(p.mediaType).toBe(MT.OCI_MANIFEST);
    if (p.kind === 'manifest') expect(p.manifest.layers[0]!.digest).toBe(d('b'));
  });
  it('reads a Docker schema 2 manifest, inferring the type from the document', () => {
    const p = parseManifest(bytes(dockerManifest));
    expect(p).toMatchObject({ kind: 'manifest', mediaType: MT.DOCKER_MANIFEST_V2 });
  });
  it('infers an OCI manifest without a mediaType field from its shape', () => {
    const { mediaType: _m, ...noType } = ociManifest;
    expect(parseManifest(bytes(noType)).mediaType).toBe(MT.OCI_MANIFEST);
  });
  it('reads an OCI index and a Docker manifest list', () => {
    expect(parseManifest(bytes(index(MT.OCI_INDEX)), MT.OCI_INDEX).kind).toBe('index');
    expect(parseManifest(bytes(index(MT.DOCKER_MANIFEST_LIST)), 'application/json')).toMatchObject({ kind: 'index', mediaType: MT.DOCKER_MANIFEST_LIST });
  });
  it('rejects schema 1, plain and signed', () => {
    const s1 = { schemaVersion: 1, name: 'x', tag: 'latest', fsLayers: [] };
    expect(codeOf(() => parseManifest(bytes(s1))).message).toMatch(/schema 1.*not supported/);
    expect(codeOf(() => parseManifest(bytes(s1), MT.DOCKER_MANIFEST_V1_SIGNED)).message).toMatch(/schema 1/);
    expect(codeOf(() => parseManifest(bytes(s1), MT.DOCKER_MANIFEST_V1)).code).toBe('invalid_argument');
  });
  it('rejects unknown media types naming the supported ones', () => {
    const e = codeOf(() => parseManifest(bytes({ ...ociManifest, mediaType: 'application/x-weird' })));
    expect(e.code).toBe('invalid_argument');
    expect(e.message).toMatch(/unsupported manifest media type "application\/x-weird".*application\/vnd\.oci\.image\.manifest\.v1\+json/);
  });
  it.each([
    ['not JSON', Buffer.from('{nope'), /not JSON/],
    ['an array', bytes([1]), /JSON object/],
    ['schemaVersion 3', bytes({ ...ociManifest, schemaVersion: 3 }), /schemaVersion/],
    ['a bad config digest', bytes({ ...ociManifest, config: { ...ociManifest.config, digest: 'sha256:xyz' } }), /config\.digest/],
    ['a negative layer size', bytes({ ...ociManifest, layers: [{ ...ociManifest.layers[0], size: -1 }] }), /layers\[0\]\.size/],
    ['layers not an array', bytes({ ...ociManifest, layers: {} }), /layers/],
    ['an index without manifests', bytes({ schemaVersion: 2, mediaType: MT.OCI_INDEX }), /manifests/],
    ['a contradicting mediaType', Buffer.from(JSON.stringify(ociManifest)), /contradicts/],
  ])('rejects %s', (_name, input, message) => {
    const declared = _name === 'a contradicting mediaType' ? MT.DOCKER_MANIFEST_V2 : undefined;
    const e = codeOf(() => parseManifest(input, declared));
    expect(e.code).toBe('invalid_argument');
    expect(e.message).toMatch(message);
  });
  it('parseImageManifest refuses an index', () => {
    expect(codeOf(() => parseImageManifest(bytes(index(MT.OCI_INDEX)))).message).toMatch(/select a platform/);
  });
});

describe('selectPlatform', () => {
  const idx = index(MT.OCI_INDEX);
  it('picks linux/amd64', () => {
    expect(selectPlatform(idx as never, { os: 'linux', architecture: 'amd64' }).digest).toBe(d('3'));
  });
  it('matches a variant when asked, with arm64 implying v8', () => {
    expect(selectPlatform(idx as never, { os: 'linux', architecture: 'arm', variant: 'v7' }).digest).toBe(d('1'));
    const noVariant = { ...idx, manifests: [desc(MT.OCI_MANIFEST, '5', { platform: { os: 'linux', architecture: 'arm64' } })] };
    expect(selectPlatform(noVariant as never, { os: 'linux', architecture: 'arm64', variant: 'v8' }).digest).toBe(d('5'));
  });
  it('lists the available platforms when none matches, ignoring attestations', () => {
    const e = codeOf(() => selectPlatform(idx as never, { os: 'linux', architecture: 's390x' }));
    expect(e.code).toBe('not_found');
    expect(e.message).toBe('no matching manifest for linux/s390x in the manifest list entries; available platforms: linux/arm/v7, linux/arm64/v8, linux/amd64');
  });
});

describe('parseImageConfig', () => {
  const config = {
    architecture: 'amd64', os: 'linux',
    config: { Env: ['PATH=/bin'], Cmd: ['sh'], Entrypoint: null, WorkingDir: '/w', User: '1:1', Labels: { a: 'b' } },
    rootfs: { type: 'layers', diff_ids: [d('c')] },
    history: [{ created_by: 'x' }],
  };
  it('reads the runtime config and diff_ids', () => {
    const c = parseImageConfig(bytes(config));
    expect(c.config?.Cmd).toEqual(['sh']);
    expect(c.config?.Labels).toEqual({ a: 'b' });
    expect(c.rootfs.diff_ids).toEqual([d('c')]);
  });
  it.each([
    ['no rootfs', { ...config, rootfs: undefined }, /rootfs/],
    ['bad diff_ids', { ...config, rootfs: { type: 'layers', diff_ids: ['x'] } }, /diff_ids/],
    ['Env not strings', { ...config, config: { Env: [1] } }, /config\.Env/],
    ['no os', { ...config, os: undefined }, /"os"/],
  ])('rejects %s', (_n, input, message) => {
    expect(codeOf(() => parseImageConfig(bytes(input))).message).toMatch(message);
  });
});
