// A registry client for the distribution spec's pull side, on Node's fetch:
// manifests by tag or digest (digest computed over the bytes and checked),
// blobs streamed with size and sha256 verified as they flow. Requests go
// through the Transport (auth, retries, timeouts); docker.io requests try the
// configured mirrors first. Resumable downloads to a file: blob-download.ts.
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BerthError } from '../errors.js';
import { sha256Digest, VerifyingStream, digestHex } from '../image/digest.js';
import { parseManifest } from '../image/manifest.js';
import type { Descriptor } from '../image/manifest-types.js';
import { MANIFEST_ACCEPT, baseMediaType } from '../image/media-types.js';
import { DEFAULT_REGISTRY, formatReference, isInsecureRegistry, registryHost, type ImageReference } from '../image/reference.js';
import type { Credential } from './bearer-auth.js';
import { networkError } from './registry-errors.js';
import { Transport, type RegistryRequest, type RetryPolicy } from './transport.js';

export interface RegistryClientOptions {
  /** Hosts (host[:port]) to speak plain http to; default: loopback only. */
  insecure?: (host: string) => boolean;
  userAgent?: string;
  /** Base URLs (http[s]://host[:port]) tried before Docker Hub for docker.io images. */
  mirrors?: string[];
  retry?: Partial<RetryPolicy>;
  headersTimeoutMs?: number;
  /** A body that delivers nothing for this long is abandoned (and resumed). */
  stallTimeoutMs?: number;
}

export interface ManifestResult {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

/** Where a blob goes: a Writable (ended by the client) or a consumer of the verified stream. */
export type BlobSink = Writable | ((stream: Readable) => Promise<unknown>);

export interface Endpoint {
  /** "http://127.0.0.1:5000" */
  base: string;
  host: string;
  mirror: boolean;
}

export interface CallAuth {
  credential?: Credential;
  signal?: AbortSignal;
}

/** Manifests larger than this are refused (the distribution spec suggests 4 MiB). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/**
 * `.pipe()` does not pass a source's error on, so a sink that does
 * `stream.pipe(x)` would wait forever after a digest mismatch. This makes
 * every stream `verifier` is piped into fail with the verifier's error.
 */
function forwardErrorsToPipeTargets(verifier: VerifyingStream): void {
  const targets = new Set<NodeJS.WritableStream>();
  const pipe = verifier.pipe.bind(verifier);
  verifier.pipe = <T extends NodeJS.WritableStream>(dest: T, opts?: { end?: boolean }): T => {
    targets.add(dest);
    return pipe(dest, opts);
  };
  verifier.on('error', (err) => {
    for (const t of targets) (t as unknown as { destroy?: (e: Error) => void }).destroy?.(err);
  });
}

export class RegistryClient {
  readonly transport: Transport;
  readonly stallTimeoutMs: number;
  private readonly insecure: (host: string) => boolean;
  private readonly mirrors: Endpoint[];

  constructor(opts: RegistryClientOptions = {}) {
    this.insecure = opts.insecure ?? isInsecureRegistry;
    this.transport = new Transport({ userAgent: opts.userAgent, retry: opts.retry, headersTimeoutMs: opts.headersTimeoutMs });
    this.stallTimeoutMs = opts.stallTimeoutMs ?? 30_000;
    this.mirrors = (opts.mirrors ?? []).map((m) => {
      const u = new URL(m);
      return { base: `${u.protocol}//${u.host}`, host: u.host, mirror: true };
    });
  }

  /** "http://127.0.0.1:5000" or "https://registry-1.docker.io". */
  baseUrl(ref: ImageReference): string {
    const host = registryHost(ref);
    return `${this.insecure(host) ? 'http' : 'https'}://${host}`;
  }

  /** Where `ref` can be pulled from, in order: mirrors (docker.io only), then the registry itself. */
  endpoints(ref: ImageReference): Endpoint[] {
    const origin: Endpoint = { base: this.baseUrl(ref), host: registryHost(ref), mirror: false };
    return ref.registry === DEFAULT_REGISTRY ? [...this.mirrors, origin] : [origin];
  }

  /** Sends a pull-side request for `/v2/<repo>/<path>`, trying each endpoint until one answers. */
  async pullRequest(ref: ImageReference, path: string, extra: Partial<RegistryRequest> & { what: string }, auth: CallAuth = {}): Promise<Response> {
    let lastError: unknown;
    for (const ep of this.endpoints(ref)) {
      try {
        return await this.transport.send({
          ...extra,
          url: `${ep.base}/v2/${ref.repository}/${path}`,
          host: ep.host,
          scopes: [`repository:${ref.repository}:pull`],
          credential: ep.mirror ? undefined : auth.credential,
          signal: auth.signal ?? extra.signal,
        });
      } catch (err) {
        lastError = err;
        if (auth.signal?.aborted) break;
      }
    }
    throw lastError;
  }

  /**
   * Fetches the manifest named by `ref` (its digest if it has one, else its tag).
   * The digest is computed over the bytes and must equal the ref's digest and
   * the registry's Docker-Content-Digest header when present.
   */
  async getManifest(ref: ImageReference, opts: { accept?: string | string[]; digest?: string } & CallAuth = {}): Promise<ManifestResult> {
    const wanted = opts.digest ?? ref.digest;
    const reference = wanted ?? ref.tag;
    if (reference === undefined) throw new BerthError('invalid_argument', `reference ${formatReference(ref)} has neither a tag nor a digest`);
    if (wanted !== undefined) digestHex(wanted, 'manifest digest');
    const accept = Array.isArray(opts.accept) ? opts.accept.join(', ') : opts.accept ?? MANIFEST_ACCEPT;
    const what = `manifest ${formatReference({ ...ref, tag: wanted ? undefined : ref.tag, digest: wanted })}`;
    const res = await this.pullRequest(ref, `manifests/${reference}`, { headers: { accept }, what }, opts);
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > MAX_MANIFEST_BYTES) {
      await res.body?.cancel();
      throw new BerthError('registry_error', `${what} is ${declared} bytes, over the ${MAX_MANIFEST_BYTES}-byte limit for manifests`);
    }
    let bytes: Buffer;
    try {
      bytes = Buffer.from(await res.arrayBuffer());
    } catch (err) {
      throw networkError(err, registryHost(ref), what);
    }
    if (bytes.length > MAX_MANIFEST_BYTES) throw new BerthError('registry_error', `${what} is over the ${MAX_MANIFEST_BYTES}-byte limit for manifests`);
    const digest = sha256Digest(bytes);
    if (wanted !== undefined && digest !== wanted) {
      throw new BerthError('digest_mismatch', `${what}: the registry sent content with digest ${digest}, not the requested ${wanted}; it is corrupt or was tampered with`);
    }
    const header = res.headers.get('docker-content-digest');
    if (header && header.startsWith('sha256:') && header !== digest) {
      throw new BerthError('digest_mismatch', `${what}: the content has digest ${digest} but the registry's Docker-Content-Digest header says ${header}`);
    }
    const mediaType = parseManifest(bytes, baseMediaType(res.headers.get('content-type'))).mediaType;
    return { bytes, mediaType, digest };
  }

  /**
   * Streams the blob `descriptor` of `ref`'s repository into `sink`, checking
   * its size and sha256 while it flows; throws digest_mismatch when they
   * differ (a Writable sink has then received bad bytes: discard them).
   */
  async fetchBlob(ref: ImageReference, descriptor: Pick<Descriptor, 'digest' | 'size'>, sink: BlobSink, auth: CallAuth = {}): Promise<{ digest: string; size: number }> {
    const what = `blob ${descriptor.digest} of ${ref.registry}/${ref.repository}`;
    const verifier = new VerifyingStream({ digest: descriptor.digest, size: descriptor.size }, what);
    const res = await this.pullRequest(ref, `blobs/${descriptor.digest}`, { what }, auth);
    if (!res.body) throw new BerthError('registry_error', `registry ${registryHost(ref)} sent an empty response for ${what}`);
    const declared = res.headers.get('content-length');
    if (declared !== null && Number(declared) !== descriptor.size) {
      await res.body.cancel();
      throw new BerthError('digest_mismatch', `${what}: the registry announces ${declared} bytes but the descriptor declares ${descriptor.size}`);
    }
    const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
    let verified = false;
    verifier.on('end', () => { verified = true; });
    try {
      if (typeof sink === 'function') {
        body.on('error', (err) => verifier.destroy(networkError(err, registryHost(ref), what)));
        forwardErrorsToPipeTargets(verifier);
        verifier.on('error', () => body.destroy());
        body.pipe(verifier);
        let sinkError: unknown;
        await sink(verifier).catch((err: unknown) => { sinkError = err; });
        if (sinkError !== undefined) throw sinkError;
        if (!verified) {
          body.destroy();
          throw new BerthError('internal', `the consumer of ${what} returned before reading the whole blob, so it was not verified`);
        }
      } else {
        await pipeline(body, verifier, sink);
      }
    } catch (err) {
      body.destroy();
      const verifierError = (verifier as { errored?: unknown }).errored;
      if (verifierError instanceof BerthError) throw verifierError;
      throw networkError(err, registryHost(ref), what);
    }
    return { digest: descriptor.digest, size: verifier.bytes };
  }

  /** GET /v2/ with the credential: resolves when the registry accepts it (berth login). */
  async checkLogin(registry: string, credential: Credential): Promise<void> {
    const host = registryHost(registry);
    const base = `${this.insecure(host) ? 'http' : 'https'}://${host}`;
    const res = await this.transport.send({ url: `${base}/v2/`, host, scopes: [], credential, what: `a login check of ${credential.username}` });
    await res.body?.cancel();
  }
}
