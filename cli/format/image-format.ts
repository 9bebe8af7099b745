// `images --format` and `--digests`: one row object per (image, tag) with
// Docker's field names, rendered through a Go template, as `table ...` (a
// header and aligned columns) or as `json` (one object per line).
import type { ImageSummary } from '../../src/protocol/methods.js';
import { compileTemplate } from './template.js';
import { formatTable } from './table.js';
import { shortId } from './ids.js';
import { timeAgo } from './duration.js';
import { humanSize } from './size.js';
import { splitRepoTag } from './references.js';

export interface ImageRow {
  Containers: string;
  CreatedAt: string;
  CreatedSince: string;
  Digest: string;
  ID: string;
  Repository: string;
  SharedSize: string;
  Size: string;
  Tag: string;
  UniqueSize: string;
  VirtualSize: string;
}

const HEADERS: Record<string, string> = {
  Containers: 'CONTAINERS', CreatedAt: 'CREATED AT', CreatedSince: 'CREATED', Digest: 'DIGEST', ID: 'IMAGE ID',
  Repository: 'REPOSITORY', SharedSize: 'SHARED SIZE', Size: 'SIZE', Tag: 'TAG', UniqueSize: 'UNIQUE SIZE', VirtualSize: 'VIRTUAL SIZE',
};

function digestFor(img: ImageSummary, repository: string): string {
  const d = img.repoDigests.find((r) => r.slice(0, r.indexOf('@')) === repository) ?? (repository === '<none>' ? img.repoDigests[0] : undefined);
  return d ? d.slice(d.indexOf('@') + 1) : '<none>';
}

/** Go's time.Time String() as Docker prints CreatedAt: "2024-01-01 00:00:00 +0000 UTC". */
function createdAt(iso: string | null): string {
  if (!iso) return '';
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return '';
  return `${t.toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}

/** Rows as Docker lists them: one per tag; digest-only images as "repo <none>"; untagged as "<none> <none>". */
export function imageRowObjects(list: ImageSummary[], opts: { truncate: boolean; now?: number }): ImageRow[] {
  const now = opts.now ?? Date.now();
  return list.flatMap((img) => {
    let names = img.repoTags.map(splitRepoTag);
    if (names.length === 0) {
      const repos = [...new Set(img.repoDigests.map((d) => d.slice(0, d.indexOf('@'))))];
      names = repos.length > 0 ? repos.map((repository) => ({ repository, tag: '<none>' })) : [{ repository: '<none>', tag: '<none>' }];
    }
    const size = humanSize(img.size);
    return names.map(({ repository, tag }) => ({
      Containers: img.containers === undefined ? 'N/A' : String(img.containers),
      CreatedAt: createdAt(img.created),
      CreatedSince: timeAgo(img.created, now),
      Digest: digestFor(img, repository),
      ID: opts.truncate ? shortId(img.id) : img.id,
      Repository: repository,
      SharedSize: 'N/A',
      Size: size,
      Tag: tag,
      UniqueSize: 'N/A',
      VirtualSize: size,
    }));
  });
}

/** Renders rows with a user format: "json", "table TEMPLATE" or a plain TEMPLATE. */
export function formatRows<R extends object>(rows: R[], format: string, headers: Record<string, string>): string {
  const trimmed = format.trim();
  if (trimmed === 'json') return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
  if (trimmed.startsWith('table')) {
    const body = trimmed.slice('table'.length).trim();
    if (body === '') return '';
    const tpl = compileTemplate(body);
    const header = tpl.render(headers).split('\t');
    const lines = rows.map((r) => tpl.render(r).split('\t'));
    return formatTable(header, lines);
  }
  const tpl = compileTemplate(format);
  return rows.map((r) => `${tpl.render(r)}\n`).join('');
}

export function formatImageRows(rows: ImageRow[], format: string): string {
  return formatRows(rows, format, HEADERS);
}

/** The default table, with a DIGEST column when asked for. */
export function defaultImageFormat(digests: boolean): string {
  return digests
    ? 'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}'
    : 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}';
}
