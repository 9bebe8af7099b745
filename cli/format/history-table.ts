// `history` as Docker prints it: IMAGE, CREATED, CREATED BY (cut to 45
// characters with "…" unless --no-trunc), SIZE, COMMENT; newest first.
import type { ImageHistoryRow } from '../../src/protocol/methods.js';
import { formatTable } from './table.js';
import { shortId } from './ids.js';
import { timeAgo } from './duration.js';
import { humanSize } from './size.js';
import { ellipsis } from './ellipsis.js';

export const HISTORY_HEADER = ['IMAGE', 'CREATED', 'CREATED BY', 'SIZE', 'COMMENT'];
const CREATED_BY_WIDTH = 45;

export function historyTable(rows: ImageHistoryRow[], opts: { truncate: boolean; human?: boolean; now?: number }): string {
  const now = opts.now ?? Date.now();
  return formatTable(HISTORY_HEADER, rows.map((r) => [
    r.id === '<missing>' || !opts.truncate ? r.id : shortId(r.id),
    opts.human === false ? (r.created ?? '') : timeAgo(r.created, now),
    opts.truncate ? ellipsis(r.createdBy.replace(/[\t\n]/g, ' '), CREATED_BY_WIDTH) : r.createdBy,
    opts.human === false ? String(r.size) : humanSize(r.size),
    r.comment,
  ]));
}

export function historyIds(rows: ImageHistoryRow[], truncate: boolean): string {
  return rows.filter((r) => r.id !== '<missing>').map((r) => `${truncate ? shortId(r.id) : r.id}\n`).join('');
}
