// `images --filter`: Docker's image list filters, evaluated on the records.
//   dangling=true|false   reference=PATTERN (glob on familiar names, narrows the tags shown)
//   label=KEY[=VALUE]     before=IMAGE / since=IMAGE (created earlier / later than IMAGE)
import { BerthError } from '../errors.js';
import { familiarRepository, parseReference } from '../image/reference.js';
import type { MetadataDb } from '../store/db.js';
import type { ImageRecord } from '../store/records.js';
import { findImage } from './lookup.js';

export interface ImageFilter {
  dangling?: boolean;
  references: string[];
  labels: Array<{ key: string; value?: string }>;
  before?: number;
  since?: number;
}

const KEYS = ['dangling', 'reference', 'label', 'before', 'since'];

function createdAt(img: ImageRecord): number {
  const t = img.created ? Date.parse(img.created) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

function imageTime(db: MetadataDb, name: string, key: string): number {
  const img = findImage(db, name);
  if (!img) throw new BerthError('not_found', `No such image: ${name} (in --filter ${key}=${name})`);
  return createdAt(img);
}

export function parseImageFilters(db: MetadataDb, filters: string[] | undefined): ImageFilter {
  const f: ImageFilter = { references: [], labels: [] };
  for (const raw of filters ?? []) {
    const eq = raw.indexOf('=');
    const key = eq > 0 ? raw.slice(0, eq).toLowerCase() : raw;
    const value = eq > 0 ? raw.slice(eq + 1) : '';
    if (eq <= 0 || !KEYS.includes(key)) {
      throw new BerthError('invalid_argument', `invalid filter '${raw}': expected KEY=VALUE with KEY one of ${KEYS.join(', ')}`);
    }
    switch (key) {
      case 'dangling':
        if (!/^(true|false|1|0)$/i.test(value)) throw new BerthError('invalid_argument', `invalid filter 'dangling=${value}': the value must be true or false`);
        f.dangling = /^(true|1)$/i.test(value);
        break;
      case 'reference':
        if (value === '') throw new BerthError('invalid_argument', "invalid filter 'reference=': give a name or pattern, e.g. reference='busy*'");
        f.references.push(value);
        break;
      case 'label': {
        const e = value.indexOf('=');
        f.labels.push(e >= 0 ? { key: value.slice(0, e), value: value.slice(e + 1) } : { key: value });
        break;
      }
      case 'before':
        f.before = imageTime(db, value, key);
        break;
      case 'since':
        f.since = imageTime(db, value, key);
        break;
    }
  }
  return f;
}

/** Go's path.Match: `*` and `?` do not cross "/", `[...]` classes, `\` escapes. */
export function globToRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end < 0) throw new BerthError('invalid_argument', `invalid filter pattern "${pattern}": unterminated [`);
      let cls = pattern.slice(i + 1, end).replace(/\\/g, '\\\\');
      if (cls.startsWith('^')) cls = `^${cls.slice(1)}`;
      re += `[${cls}]`;
      i = end;
    } else re += c.replace(/[.+^${}()|\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Docker's FamiliarMatch: the pattern matches the familiar "repo:tag" or the familiar repository. */
export function referenceMatches(pattern: RegExp, ref: string): boolean {
  const r = parseReference(ref);
  const repo = familiarRepository(r);
  const full = r.tag ? `${repo}:${r.tag}` : r.digest ? `${repo}@${r.digest}` : repo;
  return pattern.test(full) || pattern.test(repo);
}

/** The image as listed, or undefined when filtered out; repoTags is narrowed by reference filters. */
export function applyImageFilter(f: ImageFilter, img: ImageRecord): ImageRecord | undefined {
  if (f.dangling !== undefined && (img.repoTags.length === 0) !== f.dangling) return undefined;
  for (const l of f.labels) {
    const labels = img.config.Labels ?? {};
    if (!Object.hasOwn(labels, l.key)) return undefined;
    if (l.value !== undefined && labels[l.key] !== l.value) return undefined;
  }
  const t = createdAt(img);
  if (f.before !== undefined && !(t < f.before)) return undefined;
  if (f.since !== undefined && !(t > f.since)) return undefined;
  if (f.references.length > 0) {
    const patterns = f.references.map(globToRegExp);
    const tags = img.repoTags.filter((ref) => patterns.some((p) => referenceMatches(p, ref)));
    const digests = img.repoDigests.filter((ref) => patterns.some((p) => referenceMatches(p, ref)));
    if (tags.length === 0 && digests.length === 0) return undefined;
    return { ...img, repoTags: tags, repoDigests: tags.length > 0 ? img.repoDigests : digests };
  }
  return img;
}
