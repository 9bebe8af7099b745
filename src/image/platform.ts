// Choosing one image manifest out of an index by platform.
import { BerthError } from '../errors.js';
import type { Descriptor, ImageIndex, Platform } from './manifest-types.js';

export interface PlatformWanted {
  os: string;
  architecture: string;
  variant?: string;
}

export function formatPlatform(p: Platform | PlatformWanted | undefined): string {
  if (!p) return 'unknown';
  return [p.os, p.architecture, p.variant].filter((x) => x !== undefined && x !== '').join('/');
}

// Architectures whose variant is implied when absent.
const DEFAULT_VARIANT: Record<string, string> = { arm64: 'v8' };

function variantMatches(wanted: PlatformWanted, have: Platform): boolean {
  if (wanted.variant === undefined) return true;
  const haveVariant = have.variant ?? DEFAULT_VARIANT[have.architecture];
  return haveVariant === wanted.variant;
}

/**
 * Returns the first manifest of `index` built for `wanted` (os and
 * architecture must be equal; variant only when asked for). Entries without a
 * platform, or attestation entries ("unknown/unknown"), are never chosen.
 * Throws not_found listing the platforms the index offers.
 */
export function selectPlatform(index: ImageIndex, wanted: PlatformWanted): Descriptor {
  const candidates = index.manifests.filter((m) => m.platform && m.platform.os !== 'unknown');
  const match = candidates.find((m) => m.platform!.os === wanted.os && m.platform!.architecture === wanted.architecture && variantMatches(wanted, m.platform!));
  if (match) return match;
  const available = [...new Set(candidates.map((m) => formatPlatform(m.platform)))];
  throw new BerthError(
    'not_found',
    `no matching manifest for ${formatPlatform(wanted)} in the manifest list entries; available platforms: ${available.length > 0 ? available.join(', ') : 'none'}`,
  );
}

/** The platform this process runs on, in OCI terms. */
export function hostPlatform(): PlatformWanted {
  const arch: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };
  return { os: process.platform === 'linux' ? 'linux' : process.platform, architecture: arch[process.arch] ?? process.arch };
}

/** Parses "os/arch[/variant]" as given to --platform; throws invalid_argument with the expected form. */
export function parsePlatform(s: string): PlatformWanted {
  const parts = s.trim().toLowerCase().split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9_.-]+$/.test(p))) {
    throw new BerthError('invalid_argument', `invalid platform "${s}": expected os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8`);
  }
  const arch: Record<string, string> = { x86_64: 'amd64', 'x86-64': 'amd64', aarch64: 'arm64', armhf: 'arm', armel: 'arm' };
  const p: PlatformWanted = { os: parts[0]!, architecture: arch[parts[1]!] ?? parts[1]! };
  if (parts[2]) p.variant = parts[2];
  return p;
}
