// Resolves a reference to the image to unpack: manifest (through an index to
// this host's platform), config, and the layer plan. Manifests and configs
// end up verified in the content store, whether read from a registry or
// already there (a load). What a registry sent is verified in memory and the
// plan returned at once; its (fsynced) writes to the content store go on
// while the layers transfer, and the pull awaits them before it commits.
import { BerthError } from '../errors.js';
import { parseReference, type ImageReference } from '../image/reference.js';
import { parseManifest, parseImageConfig, selectPlatform, type ImageManifest } from '../image/manifest.js';
import { formatPlatform, hostPlatform, parsePlatform } from '../image/platform.js';
import type { Credential } from '../registry/bearer-auth.js';
import { chainIds } from '../store/chain-id.js';
import type { PullInput, ResolvedImage } from '../machines/pull.js';
import type { ImageServices } from './image-services.js';

/** Image configs larger than this are refused (they are read whole into memory). */
export const MAX_CONFIG_BYTES = 8 * 1024 * 1024;

interface ManifestBytes { bytes: Buffer; mediaType?: string; digest: string }

/** Runs `fn` again (up to 3 times in all) when what it fetched failed verification. */
async function verifiedFetch<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof BerthError && err.code === 'digest_mismatch') || attempt >= 3) throw err;
    }
  }
}

/** Content-store writes still running, awaited before the image is committed. */
type Writes = Array<Promise<unknown>>;

async function readManifest(svc: ImageServices, input: PullInput, ref: ImageReference, writes: Writes, digest?: string, credential?: Credential): Promise<ManifestBytes> {
  if (input.source === 'registry') {
    const r = await verifiedFetch(() => svc.registry.getManifest(ref, digest ? { digest, credential } : { credential }));
    writes.push(svc.content.writeBytes(r.bytes, r.digest));
    return r;
  }
  const d = digest ?? input.manifestDigest;
  if (!d) throw new BerthError('invalid_argument', `no manifest digest to load ${input.ref} from`);
  return { bytes: await svc.content.readBytes(d), digest: d };
}

/**
 * An image config from the registry, read whole into memory: the client's
 * fetchBlob checks the announced length, stops at the declared size and
 * verifies the digest while the bytes flow.
 */
async function readConfigBlob(svc: ImageServices, ref: ImageReference, desc: { digest: string; size: number }, credential?: Credential): Promise<Buffer> {
  if (desc.size > MAX_CONFIG_BYTES) {
    throw new BerthError('registry_error', `config blob ${desc.digest} of ${ref.registry}/${ref.repository} is ${desc.size} bytes, over the ${MAX_CONFIG_BYTES}-byte limit for image configs`);
  }
  const chunks: Buffer[] = [];
  try {
    await svc.registry.fetchBlob(ref, desc, async (stream) => {
      for await (const chunk of stream) chunks.push(chunk as Buffer);
    }, { credential });
  } catch (err) {
    // say which blob failed verification: "config blob sha256:… of registry/repo has digest …"
    if (err instanceof BerthError && err.code === 'digest_mismatch' && err.message.startsWith('blob ')) throw new BerthError(err.code, `config ${err.message}`, { cause: err });
    throw err;
  }
  return Buffer.concat(chunks);
}

export interface Resolution {
  image: ResolvedImage;
  /** Settles when what the registry sent is stored (fsynced) in the content store; rejects when that failed. */
  stored: Promise<void>;
}

export async function resolveImage(svc: ImageServices, input: PullInput, credential?: Credential): Promise<Resolution> {
  const writes: Writes = [];
  const image = await resolvePlan(svc, input, writes, credential).catch(async (err: unknown) => {
    await Promise.allSettled(writes);
    throw err;
  });
  const stored = Promise.all(writes).then(() => undefined);
  stored.catch(() => undefined); // awaited (and reported) by the pull before its commit
  return { image, stored };
}

async function resolvePlan(svc: ImageServices, input: PullInput, writes: Writes, credential?: Credential): Promise<ResolvedImage> {
  const ref = parseReference(input.ref);
  const wanted = input.platform ? parsePlatform(input.platform) : hostPlatform();
  let m = await readManifest(svc, input, ref, writes, undefined, credential);
  let parsed = parseManifest(m.bytes, m.mediaType);
  if (parsed.kind === 'index') {
    const desc = selectPlatform(parsed.index, wanted);
    m = await readManifest(svc, input, ref, writes, desc.digest, credential);
    parsed = parseManifest(m.bytes, m.mediaType ?? desc.mediaType);
    if (parsed.kind !== 'manifest') {
      throw new BerthError('registry_error', `${input.ref}: the index entry for this platform is itself an index; nested indexes are not supported`);
    }
  }
  const manifest: ImageManifest = parsed.manifest;
  const cfgDesc = manifest.config;
  let configBytes: Buffer;
  if (await svc.content.has(cfgDesc.digest)) configBytes = await svc.content.readBytes(cfgDesc.digest);
  else {
    if (input.source !== 'registry') throw new BerthError('not_found', `${input.ref}: config blob ${cfgDesc.digest} is missing from the archive`);
    configBytes = await verifiedFetch(() => readConfigBlob(svc, ref, cfgDesc, credential));
    writes.push(svc.content.writeBytes(configBytes, cfgDesc.digest));
  }
  const config = parseImageConfig(configBytes);
  if (input.platform && (config.os !== wanted.os || config.architecture !== wanted.architecture)) {
    throw new BerthError('not_found', `${input.ref} was found but is built for ${formatPlatform({ os: config.os, architecture: config.architecture, variant: config.variant })}, not the requested ${formatPlatform(wanted)}`);
  }
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== manifest.layers.length) {
    throw new BerthError(
      'registry_error',
      `${input.ref}: the manifest lists ${manifest.layers.length} layers but the config lists ${diffIds.length} diff ids; the image is malformed`,
    );
  }
  const chains = chainIds(diffIds);
  const run = config.config ?? {};
  return {
    manifestDigest: m.digest,
    configDigest: cfgDesc.digest,
    created: config.created ?? null,
    config: {
      Env: run.Env,
      Cmd: run.Cmd ?? undefined,
      Entrypoint: run.Entrypoint ?? undefined,
      WorkingDir: run.WorkingDir,
      User: run.User,
      Labels: run.Labels ?? undefined,
      StopSignal: run.StopSignal,
      ...(run.Healthcheck ? { Healthcheck: run.Healthcheck } : {}),
    },
    layers: manifest.layers.map((l, i) => ({
      blobDigest: l.digest,
      blobSize: l.size,
      mediaType: l.mediaType,
      diffId: diffIds[i],
      chainId: chains[i],
      done: false,
      ...(l.urls && l.urls.length > 0 ? { urls: l.urls } : {}),
    })),
  };
}
