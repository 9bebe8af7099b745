// Resolves a reference to the image to unpack: manifest (through an index to
// this host's platform), config, and the layer plan. Manifests and configs
// end up verified in the content store, whether read from a registry or
// already there (a load).
import { BerthError } from '../errors.js';
import { parseReference, type ImageReference } from '../image/reference.js';
import { parseManifest, parseImageConfig, selectPlatform, type ImageManifest } from '../image/manifest.js';
import { formatPlatform, hostPlatform, parsePlatform } from '../image/platform.js';
import type { Credential } from '../registry/bearer-auth.js';
import { chainIds } from '../store/chain-id.js';
import type { PullInput, ResolvedImage } from '../machines/pull.js';
import type { ImageServices } from './image-services.js';

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

async function readManifest(svc: ImageServices, input: PullInput, ref: ImageReference, digest?: string, credential?: Credential): Promise<ManifestBytes> {
  if (input.source === 'registry') {
    const r = await verifiedFetch(() => svc.registry.getManifest(ref, digest ? { digest, credential } : { credential }));
    await svc.content.writeBytes(r.bytes, r.digest);
    return r;
  }
  const d = digest ?? input.manifestDigest;
  if (!d) throw new BerthError('invalid_argument', `no manifest digest to load ${input.ref} from`);
  return { bytes: await svc.content.readBytes(d), digest: d };
}

export async function resolveImage(svc: ImageServices, input: PullInput, credential?: Credential): Promise<ResolvedImage> {
  const ref = parseReference(input.ref);
  const wanted = input.platform ? parsePlatform(input.platform) : hostPlatform();
  let m = await readManifest(svc, input, ref, undefined, credential);
  let parsed = parseManifest(m.bytes, m.mediaType);
  if (parsed.kind === 'index') {
    const desc = selectPlatform(parsed.index, wanted);
    m = await readManifest(svc, input, ref, desc.digest, credential);
    parsed = parseManifest(m.bytes, m.mediaType ?? desc.mediaType);
    if (parsed.kind !== 'manifest') {
      throw new BerthError('registry_error', `${input.ref}: the index entry for this platform is itself an index; nested indexes are not supported`);
    }
  }
  const manifest: ImageManifest = parsed.manifest;
  const cfgDesc = manifest.config;
  if (!(await svc.content.has(cfgDesc.digest))) {
    if (input.source !== 'registry') throw new BerthError('not_found', `${input.ref}: config blob ${cfgDesc.digest} is missing from the archive`);
    await verifiedFetch(() => svc.registry.fetchBlob(ref, cfgDesc, (stream) => svc.content.ingestStream(stream, cfgDesc), { credential }));
  }
  const config = parseImageConfig(await svc.content.readBytes(cfgDesc.digest));
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
