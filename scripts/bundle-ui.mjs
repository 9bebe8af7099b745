// Bundles the state visualizer's page (ui/) into dist/ui/: one script with
// elkjs inside, and the stylesheet. Served by berthd; no CDN, no network.
import { build } from 'esbuild';
import { copyFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'dist/ui');
await mkdir(outdir, { recursive: true });
await build({
  entryPoints: [join(root, 'ui/app.ts')],
  outfile: join(outdir, 'app.js'),
  bundle: true,
  format: 'iife',
  platform: 'browser',
  target: 'chrome110',
  minify: true,
  logLevel: 'warning',
  // elk.bundled.js probes for web-worker only under Node; in the browser it runs in-page.
  external: ['web-worker'],
});
await copyFile(join(root, 'ui/app.css'), join(outdir, 'app.css'));
