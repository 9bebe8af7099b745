// The push side of the distribution spec: blob existence checks (HEAD),
// cross-repository mounts (POST ?mount=&from=), uploads — monolithic (POST
// then PUT with the bytes) for small blobs, chunked (PATCH with
// Content-Range, then PUT ?digest=) for large ones — and manifest PUT.
import { open } from 'node:fs/promises';
import { BerthError } from '../errors.js';
import { formatReference, registryHost, type ImageReference } from '../image/reference.js';
import type { Credential } from './bearer-auth.js';
import type { RegistryClient } from './client.js';
import { RegistryHttpError } from './registry-errors.js';

/** Blobs up to this size go up in one PUT; larger ones in PATCH chunks of this size. */
export const CHUNK_BYTES = 8 * 1024 * 1024;

export interface PushTarget {
  client: RegistryClient;
  ref: ImageReference;
  credential?: Credential;
}

function scopes(t: PushTarget, from?: string): string[] {
  const s = [`repository:${t.ref.repository}:pull,push`];
  if (from && from !== t.ref.repository) s.push(`repository:${from}:pull`);
  return s;
}

function base(t: PushTarget): string {
  return t.client.baseUrl(t.ref);
}

async function send(t: PushTarget, method: string, url: string, what: string, extra: { headers?: Record<string, string>; body?: Uint8Array; ok?: (s: number) => boolean; from?: string } = {}): Promise<Response> {
  return t.client.transport.send({
    method,
    url,
    host: registryHost(t.ref),
    headers: extra.headers,
    body: extra.body,
    credential: t.credential,
    scopes: scopes(t, extra.from),
    what,
    ok: extra.ok,
  });
}

function location(t: PushTarget, res: Response, what: string): string {
  const loc = res.headers.get('location');
  if (!loc) throw new BerthError('registry_error', `registry ${registryHost(t.ref)} gave no upload location for ${what}`);
  return new URL(loc, base(t)).toString();
}

function withDigest(url: string, digest: string): string {
  const u = new URL(url);
  u.searchParams.set('digest', digest);
  return u.toString();
}

/** True when the repository already has the blob. */
export async function blobExists(t: PushTarget, digest: string): Promise<boolean> {
  const res = await send(t, 'HEAD', `${base(t)}/v2/${t.ref.repository}/blobs/${digest}`, `blob ${digest}`, { ok: (s) => s === 200 || s === 404 });
  await res.body?.cancel();
  return res.status === 200;
}

/** Tries to mount `digest` from repository `from`; returns true when mounted, else an upload URL to use. */
export async function mountBlob(t: PushTarget, digest: string, from: string): Promise<true | string> {
  const url = `${base(t)}/v2/${t.ref.repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
  const res = await send(t, 'POST', url, `a mount of ${digest} from ${from}`, { ok: (s) => s === 201 || s === 202, from });
  await res.body?.cancel();
  return res.status === 201 ? true : location(t, res, `blob ${digest}`);
}

/** Uploads the blob stored at `path`, verifying nothing (the store's blobs are verified content). */
export async function uploadBlob(t: PushTarget, desc: { digest: string; size: number }, path: string, onProgress?: (n: number) => void, uploadUrl?: string): Promise<void> {
  const what = `blob ${desc.digest}`;
  let url = uploadUrl;
  if (!url) {
    const res = await send(t, 'POST', `${base(t)}/v2/${t.ref.repository}/blobs/uploads/`, `an upload of ${what}`, { ok: (s) => s === 202 });
    await res.body?.cancel();
    url = location(t, res, what);
  }
  const fh = await open(path, 'r');
  try {
    if (desc.size <= CHUNK_BYTES) {
      const body = await fh.readFile();
      const res = await send(t, 'PUT', withDigest(url, desc.digest), what, {
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.length) },
        body,
        ok: (s) => s === 201,
      });
      await res.body?.cancel();
      onProgress?.(desc.size);
      return;
    }
    let offset = 0;
    const buf = Buffer.allocUnsafe(CHUNK_BYTES);
    while (offset < desc.size) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK_BYTES, desc.size - offset), offset);
      if (bytesRead === 0) throw new BerthError('io_error', `${path} is shorter than the ${desc.size} bytes of ${what}`);
      const chunk = buf.subarray(0, bytesRead);
      const res = await send(t, 'PATCH', url, `a chunk of ${what}`, {
        headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${offset + bytesRead - 1}`, 'content-length': String(bytesRead) },
        body: chunk,
        ok: (s) => s === 202,
      });
      await res.body?.cancel();
      url = location(t, res, what);
      offset += bytesRead;
      onProgress?.(offset);
    }
    const res = await send(t, 'PUT', withDigest(url, desc.digest), what, { ok: (s) => s === 201 });
    await res.body?.cancel();
  } finally {
    await fh.close();
  }
}

/** PUTs a manifest under `reference` (a tag or its digest); returns the digest the registry reports. */
export async function putManifest(t: PushTarget, reference: string, bytes: Buffer, mediaType: string): Promise<string | null> {
  const what = `manifest ${formatReference({ ...t.ref, tag: reference.startsWith('sha256:') ? undefined : reference })}`;
  try {
    const res = await send(t, 'PUT', `${base(t)}/v2/${t.ref.repository}/manifests/${reference}`, what, {
      headers: { 'content-type': mediaType },
      body: bytes,
      ok: (s) => s === 201 || s === 200,
    });
    await res.body?.cancel();
    return res.headers.get('docker-content-digest');
  } catch (err) {
    if (err instanceof RegistryHttpError && err.registryCodes.includes('MANIFEST_BLOB_UNKNOWN')) {
      throw new BerthError('registry_error', `${err.message}; a blob the manifest names is missing on the registry`);
    }
    throw err;
  }
}
