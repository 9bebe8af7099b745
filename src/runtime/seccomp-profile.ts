// Seccomp profiles for a container's config.json: Docker's default profile
// (profiles/seccomp-default.json, moby's format) or a user's
// (`--security-opt seccomp=FILE`), turned into the runtime-spec's
// linux.seccomp for this machine's architecture and the container's
// capabilities, as Docker's daemon does. The runtime compiles the result.
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { arch } from 'node:process';

type Json = Record<string, unknown>;

interface Filter { arches?: string[]; caps?: string[] }

/** Go's architecture names (moby's includes/excludes) and libseccomp's, for this machine. */
const ARCHES: Record<string, { go: string; scmp: string }> = {
  x64: { go: 'amd64', scmp: 'SCMP_ARCH_X86_64' },
  arm64: { go: 'arm64', scmp: 'SCMP_ARCH_AARCH64' },
};

function matches(f: Filter | undefined, goArch: string, caps: string[], all: boolean): boolean {
  if (!f) return true;
  const arches = f.arches ?? [];
  const needed = f.caps ?? [];
  if (all) return (arches.length === 0 || arches.includes(goArch)) && (needed.length === 0 || needed.every((c) => caps.includes(c)));
  return !arches.includes(goArch) && !needed.some((c) => caps.includes(c));
}

/** A profile in moby's format (archMap, includes/excludes) or already in the runtime-spec's shape → linux.seccomp. */
export function ociSeccomp(profile: Json, caps: string[], machine: string = arch): Json {
  const a = ARCHES[machine] ?? ARCHES.x64;
  const out: Json = { defaultAction: profile.defaultAction };
  if (profile.defaultErrnoRet !== undefined) out.defaultErrnoRet = profile.defaultErrnoRet;
  if (Array.isArray(profile.architectures)) out.architectures = profile.architectures;
  else if (Array.isArray(profile.archMap)) {
    const entry = (profile.archMap as { architecture: string; subArchitectures?: string[] }[]).find((m) => m.architecture === a.scmp);
    if (entry) out.architectures = [entry.architecture, ...(entry.subArchitectures ?? [])];
  }
  if (Array.isArray(profile.flags)) out.flags = profile.flags;
  const syscalls: Json[] = [];
  for (const rule of (profile.syscalls ?? []) as (Json & { includes?: Filter; excludes?: Filter })[]) {
    if (!matches(rule.includes, a.go, caps, true) || !matches(rule.excludes, a.go, caps, false)) continue;
    const names = Array.isArray(rule.names) ? rule.names : typeof rule.name === 'string' ? [rule.name] : [];
    const s: Json = { names, action: rule.action };
    if (Array.isArray(rule.args) && rule.args.length > 0) s.args = rule.args;
    if (rule.errnoRet !== undefined) s.errnoRet = rule.errnoRet;
    syscalls.push(s);
  }
  out.syscalls = syscalls;
  return out;
}

let cached: Json | undefined;

/** The package's root, from src/runtime or dist/src/runtime alike. */
function packageDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  return resolve(here, here.includes('/dist/src/') ? '../../..' : '../..');
}

/** Docker's default profile, read once from the package. */
export function defaultSeccompProfile(): Json {
  cached ??= JSON.parse(readFileSync(join(packageDir(), 'profiles/seccomp-default.json'), 'utf8')) as Json;
  return cached;
}
