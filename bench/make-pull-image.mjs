// Builds the pull benchmark's image as an OCI layout: busybox plus four
// layers of seeded data (half pseudo-random, half repetitive text), ~100 MB
// uncompressed, with gzip or zstd layers.
//   node bench/make-pull-image.mjs DIR gzip|zstd
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { packTar, buildBusyboxLayerTar, writeBlob, writeIndex, sha256 } from '../scripts/busybox-oci.mjs';

const [dir, compression = 'gzip'] = process.argv.slice(2);
if (!dir || !['gzip', 'zstd'].includes(compression)) {
  console.error('usage: make-pull-image.mjs DIR gzip|zstd');
  process.exit(2);
}
function seeded(size, seed) {
  const out = Buffer.allocUnsafe(size);
  let block = createHash('sha256').update(`bench-${seed}`).digest();
  for (let off = 0; off < size; off += 32) {
    block.copy(out, off, 0, Math.min(32, size - off));
    block = createHash('sha256').update(block).digest();
  }
  return out;
}
function text(size, seed) {
  const line = Buffer.from(`line ${seed}: the quick brown fox jumps over the lazy dog 0123456789\n`);
  const out = Buffer.alloc(size);
  for (let off = 0; off < size; off += line.length) line.copy(out, off);
  return out;
}
const layers = [await buildBusyboxLayerTar()];
for (let l = 0; l < 4; l++) {
  const files = [];
  for (let f = 0; f < 48; f++) {
    const seed = l * 100 + f;
    files.push({ name: `data/l${l}/f${f}.bin`, mode: 0o644, content: f % 2 === 0 ? seeded(520_000, seed) : text(520_000, seed) });
  }
  layers.push(await packTar(files));
}
const mt = compression === 'gzip' ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.oci.image.layer.v1.tar+zstd';
const descs = layers.map((t) => writeBlob(dir, compression === 'gzip' ? gzipSync(t, { level: 6 }) : execFileSync('zstd', ['-q', '-c', '-3'], { input: t, maxBuffer: 1 << 30 }), mt));
const config = writeBlob(dir, Buffer.from(JSON.stringify({
  created: '2024-01-01T00:00:00Z', architecture: 'amd64', os: 'linux',
  config: { Cmd: ['sh'], Env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'] },
  rootfs: { type: 'layers', diff_ids: layers.map(sha256) },
})), 'application/vnd.oci.image.config.v1+json');
const manifest = writeBlob(dir, Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: descs })), 'application/vnd.oci.image.manifest.v1+json');
writeIndex(dir, [{ ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'latest' } }]);
const total = layers.reduce((n, t) => n + t.length, 0);
const packed = descs.reduce((n, d) => n + d.size, 0);
console.log(`${compression}: ${layers.length} layers, ${(total / 1e6).toFixed(1)} MB uncompressed, ${(packed / 1e6).toFixed(1)} MB compressed`);
