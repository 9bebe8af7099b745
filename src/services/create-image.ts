// The image a new container is created from, under run/create's --pull
// policy (always | missing | never, Docker's) and --platform: a local image
// of another platform counts as missing, as in Docker.
import { BerthError } from '../errors.js';
import { imageConfigBlob } from './image-config-blob.js';
import { formatPlatform, parsePlatform } from '../image/platform.js';
import { familiarName, parseReference } from '../image/reference.js';
import { findImage } from './lookup.js';
import type { MetadataDb } from '../store/db.js';
import type { ImageRecord } from '../store/records.js';
import type { CallContext } from '../daemon/call-context.js';
import type { ImageService } from './image-service.js';

export const PULL_POLICIES = ['always', 'missing', 'never'] as const;
export type PullPolicy = (typeof PULL_POLICIES)[number];

export function checkPullPolicy(v: string | undefined): PullPolicy | undefined {
  if (v === undefined) return undefined;
  if (!(PULL_POLICIES as readonly string[]).includes(v)) {
    throw new BerthError('invalid_argument', `invalid pull option: '${v}': must be one of "always", "missing" or "never"`);
  }
  return v as PullPolicy;
}

/** The image's platform when it differs from `wanted` (os/arch[/variant]), else undefined. */
async function platformMismatch(root: string, image: ImageRecord, wanted: string): Promise<string | undefined> {
  const want = parsePlatform(wanted);
  const have = await imageConfigBlob(root, image.id);
  if (!have) return undefined; // no readable config: nothing to compare against
  const same = have.os === want.os && have.architecture === want.architecture && (want.variant === undefined || have.variant === undefined || have.variant === want.variant);
  return same ? undefined : formatPlatform(have);
}

export interface CreateImageRequest { image: string; platform?: string; auth?: string; pull?: PullPolicy }

export async function imageForCreate(
  db: MetadataDb, root: string, images: ImageService, p: CreateImageRequest, call: CallContext,
): Promise<ImageRecord> {
  if (p.platform !== undefined) parsePlatform(p.platform);
  const name = () => familiarName(parseReference(p.image));
  let image = p.pull === 'always' ? undefined : findImage(db, p.image);
  if (image && p.platform !== undefined) {
    const actual = await platformMismatch(root, image, p.platform);
    if (actual !== undefined) {
      if (p.pull === 'never') {
        throw new BerthError('not_found', `image with reference ${name()} was found but does not match the specified platform: wanted ${formatPlatform(parsePlatform(p.platform))}, actual: ${actual}`);
      }
      image = undefined;
    }
  }
  if (image) return image;
  if (p.pull === 'never') throw new BerthError('not_found', `No such image: ${name()}`);
  if (p.pull !== 'always') call.emit({ kind: 'status', message: `Unable to find image '${name()}' locally` });
  await images.pull(p.image, call, { platform: p.platform, auth: p.auth });
  const pulled = findImage(db, p.image);
  if (!pulled) throw new BerthError('not_found', `image ${p.image} was pulled but cannot be found`);
  return pulled;
}
