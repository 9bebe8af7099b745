// Test images built without a registry: busybox plus an optional extra layer
// holding one file, with chosen labels and creation time, as an OCI layout
// archive `berth load` reads. Images built from the same options are identical.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
// @ts-expect-error plain ESM script without type declarations
import * as busyboxOci from '../../scripts/busybox-oci.mjs';
import { buildBusyboxOciLayout, packTar } from '../fixtures/busybox-image.js';

const writeBlob = busyboxOci.writeBlob as (dir: string, bytes: Buffer, mediaType: string) => { mediaType: string; digest: string; size: number };
const writeIndex = busyboxOci.writeIndex as (dir: string, manifests: object[]) => void;
const packOciLayoutDir = busyboxOci.packOciLayoutDir as (dir: string) => Promise<Buffer>;

export interface TinyImageOptions {
  /** full name for io.containerd.image.name, e.g. docker.io/library/tiny:1 (omit for an untagged image) */
  name?: string;
  created?: string;
  labels?: Record<string, string>;
  /** a file put in an extra layer: path → content */
  file?: { path: string; content: string };
}

export interface TinyImage { id: string; manifestDigest: string; diffIds: string[] }

export async function buildTinyImageArchive(out: string, opts: TinyImageOptions): Promise<TinyImage> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-tiny-'));
  try {
    const base = await buildBusyboxOciLayout(dir);
    const layers = [base.layer];
    const diffIds = [base.diffId];
    const created = opts.created ?? '2024-01-01T00:00:00.000Z';
    const history: object[] = [{ created, created_by: 'busybox base layer' }];
    if (opts.file) {
      const tar = await packTar([{ name: opts.file.path, mode: 0o644, content: Buffer.from(opts.file.content) }]);
      diffIds.push(`sha256:${createHash('sha256').update(tar).digest('hex')}`);
      layers.push(writeBlob(dir, gzipSync(tar), 'application/vnd.oci.image.layer.v1.tar+gzip'));
      history.push({ created, created_by: `/bin/sh -c echo ${opts.file.content} > ${opts.file.path}`, comment: 'tiny layer' });
    }
    history.push({ created, created_by: '/bin/sh -c #(nop)  CMD ["sh"]', empty_layer: true });
    const config = {
      created,
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'], Labels: opts.labels ?? {}, WorkingDir: '/', ExposedPorts: { '80/tcp': {} } },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history,
    };
    const cfg = writeBlob(dir, Buffer.from(JSON.stringify(config)), 'application/vnd.oci.image.config.v1+json');
    const manifest = writeBlob(dir, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: cfg, layers })), 'application/vnd.oci.image.manifest.v1+json');
    const annotations = opts.name ? { 'io.containerd.image.name': opts.name } : {};
    writeIndex(dir, [{ ...manifest, annotations }]);
    // drop the base image's own config and manifest: the archive holds only this image
    for (const d of [base.config.digest, base.manifest.digest]) rmSync(join(dir, 'blobs', 'sha256', d.slice(7)));
    writeFileSync(out, await packOciLayoutDir(dir));
    return { id: cfg.digest, manifestDigest: manifest.digest, diffIds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}
