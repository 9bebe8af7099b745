#!/usr/bin/env node
// Builds a busybox OCI image from the host's /bin/busybox (Debian's
// busybox-static), with no registry: one gzip layer holding /bin/busybox, a
// symlink per applet, /etc/passwd, /etc/group and the usual empty
// directories. Output is deterministic (fixed mtimes, uid/gid 0, sorted).
//
//   node scripts/busybox-oci.mjs --out FILE.tar [--tag latest]   OCI layout archive
//   node scripts/busybox-oci.mjs --dir DIR [--tag latest]        OCI layout directory
// index.json names the image with org.opencontainers.image.ref.name = TAG and
// io.containerd.image.name = docker.io/library/busybox:TAG (--name changes "busybox").
//
// Also importable: buildBusyboxOciLayout(dir, opts), buildBusyboxOciArchive(file, opts).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import tarStream from 'tar-stream';

export const BUSYBOX_PATH = '/bin/busybox';
export const FIXED_MTIME = new Date('2024-01-01T00:00:00Z');
export const DEFAULT_ENV = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'];
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';
const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n';
const GROUP = 'root:x:0:\nnogroup:x:65534:\n';
const DIRS = [['bin', 0o755], ['dev', 0o755], ['etc', 0o755], ['home', 0o755], ['proc', 0o555], ['root', 0o700], ['sys', 0o555], ['tmp', 0o1777], ['var', 0o755]];

export function sha256(bytes) {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

function busyboxApplets(busybox) {
  const out = execFileSync(busybox, ['--list'], { encoding: 'utf8' });
  return [...new Set(out.split('\n').map((s) => s.trim()).filter((s) => s && s !== 'busybox' && !s.includes('/')))];
}

/** Packs `entries` ({ name, type, mode, linkname?, content? }) into one uncompressed tar, in the given order. */
export async function packTar(entries) {
  const pack = tarStream.pack();
  const chunks = [];
  pack.on('data', (c) => chunks.push(c));
  const done = new Promise((res, rej) => { pack.on('end', res); pack.on('error', rej); });
  for (const e of entries) {
    const header = { name: e.name, type: e.type ?? 'file', mode: e.mode, uid: 0, gid: 0, uname: 'root', gname: 'root', mtime: FIXED_MTIME };
    if (e.linkname !== undefined) header.linkname = e.linkname;
    await new Promise((res, rej) => {
      const cb = (err) => (err ? rej(err) : res());
      if (header.type === 'file') pack.entry(header, e.content ?? Buffer.alloc(0), cb);
      else pack.entry(header, cb);
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** The rootfs layer as an uncompressed tar (sorted by name). */
export async function buildBusyboxLayerTar(busybox = BUSYBOX_PATH) {
  if (!existsSync(busybox)) throw new Error(`${busybox} is missing: install the Debian package busybox-static`);
  const entries = DIRS.map(([name, mode]) => ({ name, type: 'directory', mode }));
  entries.push({ name: 'bin/busybox', mode: 0o755, content: readFileSync(busybox) });
  for (const applet of busyboxApplets(busybox)) entries.push({ name: `bin/${applet}`, type: 'symlink', mode: 0o777, linkname: 'busybox' });
  entries.push({ name: 'etc/passwd', mode: 0o644, content: Buffer.from(PASSWD) });
  entries.push({ name: 'etc/group', mode: 0o644, content: Buffer.from(GROUP) });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return packTar(entries);
}

/** Writes `bytes` to DIR/blobs/sha256/<hex> and returns a descriptor. */
export function writeBlob(dir, bytes, mediaType) {
  const digest = sha256(bytes);
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  writeFileSync(join(blobs, digest.slice(7)), bytes);
  return { mediaType, digest, size: bytes.length };
}

/** Writes oci-layout and index.json for `manifests` (descriptors). */
export function writeIndex(dir, manifests) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
}

/**
 * Writes an unpacked OCI image layout for busybox into `dir`.
 * Returns { manifest, config, layer, diffId } (descriptors and the layer's diffID).
 */
export async function buildBusyboxOciLayout(dir, { tag = 'latest', name = 'busybox', busybox = BUSYBOX_PATH, architecture = 'amd64', runConfig = {} } = {}) {
  const tar = await buildBusyboxLayerTar(busybox);
  const diffId = sha256(tar);
  const layer = writeBlob(dir, gzipSync(tar, { level: 6 }), OCI_LAYER_GZIP);
  const created = FIXED_MTIME.toISOString();
  const configJson = {
    created,
    architecture,
    os: 'linux',
    config: { Env: DEFAULT_ENV, Cmd: ['sh'], ...runConfig },
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created, created_by: 'scripts/busybox-oci.mjs: /bin/busybox and its applets' }],
  };
  const config = writeBlob(dir, Buffer.from(JSON.stringify(configJson)), OCI_CONFIG);
  const manifestJson = { schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer] };
  const manifest = writeBlob(dir, Buffer.from(JSON.stringify(manifestJson)), OCI_MANIFEST);
  const annotations = { 'io.containerd.image.name': `docker.io/library/${name}:${tag}`, 'org.opencontainers.image.ref.name': tag };
  writeIndex(dir, [{ ...manifest, annotations, platform: { architecture, os: 'linux' } }]);
  return { manifest, config, layer, diffId };
}

/** Tars an OCI layout directory (oci-layout, index.json, blobs/sha256/*) deterministically. */
export async function packOciLayoutDir(dir) {
  const entries = [
    { name: 'oci-layout', mode: 0o644, content: readFileSync(join(dir, 'oci-layout')) },
    { name: 'index.json', mode: 0o644, content: readFileSync(join(dir, 'index.json')) },
    { name: 'blobs', type: 'directory', mode: 0o755 },
    { name: 'blobs/sha256', type: 'directory', mode: 0o755 },
  ];
  for (const hex of readdirSync(join(dir, 'blobs', 'sha256')).sort()) {
    entries.push({ name: `blobs/sha256/${hex}`, mode: 0o644, content: readFileSync(join(dir, 'blobs', 'sha256', hex)) });
  }
  return packTar(entries);
}

/** Builds the busybox image and writes it as an OCI layout archive to `file`. */
export async function buildBusyboxOciArchive(file, opts = {}) {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'berth-busybox-oci-'));
  try {
    const result = await buildBusyboxOciLayout(dir, opts);
    writeFileSync(file, await packOciLayoutDir(dir));
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function parseArgs(argv) {
  const out = { tag: 'latest' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--out') out.out = value();
    else if (a === '--dir') out.dir = value();
    else if (a === '--tag') out.tag = value();
    else if (a === '--name') out.name = value();
    else if (a === '--busybox') out.busybox = value();
    else throw new Error(`unknown argument ${a}; usage: busybox-oci.mjs --out FILE.tar | --dir DIR [--tag TAG] [--name NAME] [--busybox PATH]`);
  }
  if (!out.out && !out.dir) throw new Error('give --out FILE.tar (OCI layout archive) or --dir DIR (OCI layout directory)');
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const args = parseArgs(process.argv.slice(2));
    const opts = { tag: args.tag, ...(args.name ? { name: args.name } : {}), ...(args.busybox ? { busybox: args.busybox } : {}) };
    const r = args.out ? await buildBusyboxOciArchive(args.out, opts) : await buildBusyboxOciLayout(args.dir, opts);
    process.stdout.write(`${args.out ?? args.dir}: busybox:${args.tag} manifest ${r.manifest.digest}\n`);
  } catch (err) {
    process.stderr.write(`busybox-oci: ${err.message}\n`);
    process.exit(1);
  }
}
