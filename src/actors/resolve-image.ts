// Resolves a reference to the image to unpack: manifest (through an index to
// this host's platform), config, and the layer plan. Manifests and configs
// end up verified in the content store, whether read from a registry or
// already there (a load).
import { BerthError } from '../errors.js';
import { parseReference, type ImageReference } from '../image/reference.js';
import { parseManifest, parseImageConfig, selectPlatform, type ImageManifest } from '../image/manifest.js';
import { hostPlatform } from '../image/platform.js';
import { chainIds } from '../store/chain-id.js';
import type { PullInput, ResolvedImage } from '../machines/pull.js';
import type { ImageServices } from './image-services.js';

interface ManifestBytes { bytes: Buffer; mediaType?: string; digest: string }

async function readManifest(svc: ImageServices, input: PullInput, ref: ImageReference, digest?: string): Promise<ManifestBytes> {
  if (input.source === 'registry') {
    const r = await svc.registry.getManifest(ref, digest ? { digest } : {});
    await svc.content.writeBytes(r.bytes, r.digest);
    return r;
  }
  const d = digest ?? input.manifestDigest;
  if (!d) throw new BerthError('invalid_argument', `no manifest digest to load ${input.ref} from`);
  return { bytes: await svc.content.readBytes(d), digest: d };
}

export async function resolveImage(svc: ImageServices, input: PullInput): Promise<ResolvedImage> {
  const ref = parseReference(input.ref);
  let m = await readManifest(svc, input, ref);
  let parsed = parseManifest(m.bytes, m.mediaType);
  if (parsed.kind === 'index') {
    const desc = selectPlatform(parsed.index, hostPlatform());
    m = await readManifest(svc, input, ref, desc.digest);
    parsed = parseManifest(m.bytes, m.mediaType ?? desc.mediaType);
    if (parsed.kind !== 'manifest') {
      throw new BerthError('registry_error', `${input.ref}: the index entry for this platform is itself an index; nested indexes are not supported`);
    }
  }
  const manifest: ImageManifest = parsed.manifest;
  const cfgDesc = manifest.config;
  if (!(await svc.content.has(cfgDesc.digest))) {
    if (input.source !== 'registry') throw new BerthError('not_found', `${input.ref}: config blob ${cfgDesc.digest} is missing from the archive`);
    await svc.registry.fetchBlob(ref, cfgDesc, (stream) => svc.content.ingestStream(stream, cfgDesc));
  }
  const config = parseImageConfig(await svc.content.readBytes(cfgDesc.digest));
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
    },
    layers: manifest.layers.map((l, i) => ({
      blobDigest: l.digest,
      blobSize: l.size,
      mediaType: l.mediaType,
      diffId: diffIds[i],
      chainId: chains[i],
      done: false,
    })),
  };
}
