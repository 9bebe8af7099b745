// Gzip decompression for layers: the addon's streaming gunzip on the calling
// thread (a pool thread, while it unpacks), else node:zlib's Gunzip, which
// inflates on libuv's thread pool with a hand-off per chunk, when the addon
// is not built or predates it.
import type { Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { BerthError } from '../errors.js';
import { addonHas, gunzipCreate, gunzipEnd, gunzipStream } from '../native/addon.js';
import { SyncDecoderStream } from './stream-decoder.js';

const OUT_SIZE = 256 * 1024;

function badGzip(detail: string): BerthError {
  return new BerthError('invalid_argument', `layer is not valid gzip data (${detail.trim() || 'decompression failed'}); its media type says gzip`);
}

/** A stream that decompresses gzip; `impl` forces one implementation (tests). */
export function createLayerGunzip(impl?: 'native' | 'zlib'): Transform {
  if (impl === 'zlib' || (impl === undefined && !addonHas('gunzipCreate'))) return createGunzip({ chunkSize: 128 * 1024 });
  const h = gunzipCreate();
  let live = true;
  return new SyncDecoderStream(
    {
      step: (dst, src) => gunzipStream(h, dst, src),
      end: () => {
        if (live) gunzipEnd(h);
        live = false;
      },
    },
    OUT_SIZE,
    badGzip,
  );
}
