// Image references in Docker's grammar, normalised the way Docker does it:
//   reference := name [ ":" tag ] [ "@" digest ]
//   name      := [ domain "/" ] path-component ( "/" path-component )*
// A first component counts as a registry host when it contains "." or ":",
// or is "localhost"; otherwise the image lives on Docker Hub (docker.io) and a
// single-component name gets the "library/" prefix. No tag and no digest
// means tag "latest".
import { BerthError } from '../errors.js';

export const DEFAULT_REGISTRY = 'docker.io';
export const DEFAULT_TAG = 'latest';
const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
const LEGACY_HUB_NAMES = new Set(['index.docker.io', 'registry-1.docker.io']);

export interface ImageReference {
  /** Registry host with optional port, e.g. "docker.io" or "127.0.0.1:5000". */
  registry: string;
  /** Repository path inside the registry, e.g. "library/busybox". */
  repository: string;
  /** Tag; absent only when the reference names a digest and no tag. */
  tag?: string;
  /** Manifest digest "sha256:<64 hex>". */
  digest?: string;
}

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_COMPONENT = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const SHA256_DIGEST = /^sha256:[a-f0-9]{64}$/;
const ANY_DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const MAX_NAME_LENGTH = 255;

function invalid(input: string, why: string): BerthError {
  return new BerthError('invalid_argument', `invalid reference format "${input}": ${why}`);
}

function isValidDomain(domain: string): boolean {
  let host = domain;
  let port: string | undefined;
  if (host.startsWith('[')) {
    const close = host.indexOf(']');
    if (close < 0) return false;
    const inner = host.slice(1, close);
    if (!/^[0-9a-fA-F:.]+$/.test(inner) || !inner.includes(':')) return false;
    const rest = host.slice(close + 1);
    if (rest === '') return true;
    if (!rest.startsWith(':')) return false;
    port = rest.slice(1);
    host = '';
  } else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0) {
      port = host.slice(colon + 1);
      host = host.slice(0, colon);
    }
  }
  if (port !== undefined && !/^[0-9]+$/.test(port)) return false;
  if (host === '') return domain.startsWith('[');
  return host.split('.').every((c) => DOMAIN_COMPONENT.test(c));
}

/** Parses and normalises a reference such as "busybox", "127.0.0.1:5000/a/b:1" or "x@sha256:…". */
export function parseReference(input: string): ImageReference {
  if (typeof input !== 'string' || input.length === 0) {
    throw new BerthError('invalid_argument', 'invalid reference format: the image name is empty; give a name such as "busybox" or "busybox:latest"');
  }
  if (input !== input.trim()) throw invalid(input, 'leading or trailing whitespace is not allowed');

  let rest = input;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!ANY_DIGEST.test(digest)) throw invalid(input, `"${digest}" is not a digest; expected sha256:<64 lowercase hex characters>`);
    if (!SHA256_DIGEST.test(digest)) {
      throw invalid(input, `unsupported digest "${digest}"; only sha256:<64 lowercase hex characters> is supported`);
    }
  }

  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const lastColon = rest.lastIndexOf(':');
  if (lastColon > lastSlash) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
    if (!TAG.test(tag)) {
      throw invalid(input, `tag "${tag}" must be 1-128 characters of letters, digits, "_", "." and "-", not starting with "." or "-"`);
    }
  }

  if (rest === '') throw invalid(input, 'the repository name is empty');
  if (rest.length > MAX_NAME_LENGTH) throw invalid(input, `the repository name is longer than ${MAX_NAME_LENGTH} characters`);

  let registry = DEFAULT_REGISTRY;
  let path = rest;
  const firstSlash = rest.indexOf('/');
  if (firstSlash >= 0) {
    const first = rest.slice(0, firstSlash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first.startsWith('[')) {
      if (!isValidDomain(first)) throw invalid(input, `"${first}" is not a valid registry host[:port]`);
      registry = first;
      path = rest.slice(firstSlash + 1);
    } else if (first !== first.toLowerCase()) {
      throw invalid(input, `"${first}" has uppercase letters: repository names must be lowercase`);
    }
  }
  if (LEGACY_HUB_NAMES.has(registry)) registry = DEFAULT_REGISTRY;

  if (path === '') throw invalid(input, 'the repository name is empty');
  for (const component of path.split('/')) {
    if (component === '') throw invalid(input, 'the repository name has an empty path component ("//" or a trailing "/")');
    if (component !== component.toLowerCase()) {
      throw invalid(input, `"${component}" has uppercase letters: repository names must be lowercase`);
    }
    if (!PATH_COMPONENT.test(component)) {
      throw invalid(input, `"${component}" may only hold lowercase letters, digits and single separators "."/"_"/"__"/"-" between them`);
    }
  }
  if (registry === DEFAULT_REGISTRY && /^[a-f0-9]{64}$/.test(rest)) {
    throw invalid(input, 'a repository name cannot be a 64-character hexadecimal string (that is an image ID, not a name)');
  }
  if (registry === DEFAULT_REGISTRY && !path.includes('/')) path = `library/${path}`;

  if (tag === undefined && digest === undefined) tag = DEFAULT_TAG;
  const ref: ImageReference = { registry, repository: path };
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** True when `s` is a valid reference (no throw). */
export function isValidReference(s: string): boolean {
  try {
    parseReference(s);
    return true;
  } catch {
    return false;
  }
}

/** Repository name in Docker's short form: "busybox", "user/app", "127.0.0.1:5000/busybox". */
export function familiarRepository(ref: ImageReference): string {
  if (ref.registry !== DEFAULT_REGISTRY) return `${ref.registry}/${ref.repository}`;
  const rest = ref.repository.startsWith('library/') ? ref.repository.slice('library/'.length) : ref.repository;
  return rest.includes('/') ? ref.repository : rest;
}

/** Docker's short form as shown by `images`: "busybox:latest", "127.0.0.1:5000/busybox:latest", "busybox@sha256:…". */
export function familiarName(ref: ImageReference): string {
  let s = familiarRepository(ref);
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

/** Fully qualified form: "docker.io/library/busybox:latest". */
export function formatReference(ref: ImageReference): string {
  let s = `${ref.registry}/${ref.repository}`;
  if (ref.tag !== undefined) s += `:${ref.tag}`;
  if (ref.digest !== undefined) s += `@${ref.digest}`;
  return s;
}

/** Host (and port) to send HTTP requests to: docker.io is served by registry-1.docker.io. */
export function registryHost(ref: ImageReference | string): string {
  const registry = typeof ref === 'string' ? ref : ref.registry;
  return registry === DEFAULT_REGISTRY ? DOCKER_HUB_API_HOST : registry;
}

/** Loopback registries (127.0.0.0/8, ::1, localhost) are spoken to over plain http. */
export function isInsecureRegistry(host: string): boolean {
  let h = host.toLowerCase();
  if (h.startsWith('[')) {
    const close = h.indexOf(']');
    h = close > 0 ? h.slice(1, close) : h;
  } else {
    const colon = h.lastIndexOf(':');
    if (colon >= 0 && h.indexOf(':') === colon) h = h.slice(0, colon);
  }
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  return m !== null && m.slice(1).every((o) => Number(o) <= 255);
}
