// Builds multi-layer test images (busybox base + layers of seeded
// pseudo-random files, gzip, zstd or uncompressed) as OCI layouts and pushes
// them to a test registry with skopeo, keeping the blobs as they are.
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
// @ts-expect-error plain ESM script without type declarations
import * as busyboxOci from '../../scripts/busybox-oci.mjs';

const execFileP = promisify(execFile);
const packTar = busyboxOci.packTar as (entries: Array<{ name: string; type?: string; mode: number; content?: Buffer }>) => Promise<Buffer>;
const buildBusyboxLayerTar = busyboxOci.buildBusyboxLayerTar as () => Promise<Buffer>;
const writeBlob = busyboxOci.writeBlob as (dir: string, bytes: Buffer, mediaType: string) => Descriptor;
const writeIndex = busyboxOci.writeIndex as (dir: string, manifests: object[]) => void;

export interface Descriptor { mediaType: string; digest: string; size: number }
export type Compression = 'gzip' | 'zstd' | 'none';
export interface LayerSpec { files: Array<{ name: string; size: number; seed: number }> }
export interface LayeredImage { manifest: Descriptor; config: Descriptor; layers: Descriptor[]; diffIds: string[] }

const MEDIA: Record<Compression, string> = {
  gzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  zstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  none: 'application/vnd.oci.image.layer.v1.tar',
};

/** `size` bytes derived from `seed` (sha256 in counter mode): the same every time. */
export function seededBytes(size: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(size);
  let block = createHash('sha256').update(`seed-${seed}`).digest();
  for (let off = 0; off < size; off += 32) {
    block.copy(out, off, 0, Math.min(32, size - off));
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

function compress(tar: Buffer, c: Compression): Buffer {
  if (c === 'gzip') return gzipSync(tar, { level: 1 });
  if (c === 'zstd') return execFileSync('zstd', ['-q', '-c', '-3'], { input: tar, maxBuffer: 1 << 30 });
  return tar;
}

const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

/** Writes the image into OCI layout `dir` under `tag`. */
export async function buildLayeredImage(dir: string, layers: LayerSpec[], opts: { compression?: Compression; tag?: string; busybox?: boolean } = {}): Promise<LayeredImage> {
  const c = opts.compression ?? 'gzip';
  const tars: Buffer[] = [];
  if (opts.busybox !== false) tars.push(await buildBusyboxLayerTar());
  for (const l of layers) {
    tars.push(await packTar(l.files.map((f) => ({ name: f.name, mode: 0o644, content: seededBytes(f.size, f.seed) }))));
  }
  const descs = tars.map((t) => writeBlob(dir, compress(t, c), MEDIA[c]));
  const diffIds = tars.map(sha);
  const configJson = {
    created: '2024-01-01T00:00:00Z', architecture: 'amd64', os: 'linux',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
  };
  const config = writeBlob(dir, Buffer.from(JSON.stringify(configJson)), 'application/vnd.oci.image.config.v1+json');
  const manifest = writeBlob(dir, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: descs })), 'application/vnd.oci.image.manifest.v1+json');
  writeIndex(dir, [{ ...manifest, annotations: { 'org.opencontainers.image.ref.name': opts.tag ?? 'latest' } }]);
  return { manifest, config, layers: descs, diffIds };
}

/** Builds and pushes to HOST/REPO:TAG. */
export async function pushLayeredImage(host: string, repo: string, layers: LayerSpec[], opts: { compression?: Compression; tag?: string; busybox?: boolean } = {}): Promise<LayeredImage> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-layered-'));
  try {
    const tag = opts.tag ?? 'latest';
    const img = await buildLayeredImage(dir, layers, { ...opts, tag });
    await execFileP('skopeo', ['copy', '--quiet', '--preserve-digests', '--dest-tls-verify=false', `oci:${dir}:${tag}`, `docker://${host}/${repo}:${tag}`], { maxBuffer: 1 << 24 });
    return img;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
