// berth history [-q] [--no-trunc] [-H=false] [--format FORMAT] IMAGE   (also: berth image history)
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { historyIds, historyTable } from '../../format/history-table.js';
import { formatRows } from '../../format/image-format.js';
import { shortId } from '../../format/ids.js';
import { timeAgo } from '../../format/duration.js';
import { humanSize } from '../../format/size.js';

const HEADERS = { ID: 'IMAGE', CreatedSince: 'CREATED', CreatedAt: 'CREATED AT', CreatedBy: 'CREATED BY', Size: 'SIZE', Comment: 'COMMENT' };

export default async function history(inv: Invocation): Promise<number> {
  const truncate = inv.opts.trunc !== false;
  const rows = await withDaemon(inv, (client) => client.call('image.history', { name: inv.args[0] }));
  if (inv.opts.quiet) {
    process.stdout.write(historyIds(rows, truncate));
  } else if (typeof inv.opts.format === 'string') {
    const now = Date.now();
    const objs = rows.map((r) => ({
      ID: r.id === '<missing>' || !truncate ? r.id : shortId(r.id),
      CreatedSince: timeAgo(r.created, now),
      CreatedAt: r.created ?? '',
      CreatedBy: r.createdBy,
      Size: humanSize(r.size),
      Comment: r.comment,
    }));
    process.stdout.write(formatRows(objs, inv.opts.format, HEADERS));
  } else {
    process.stdout.write(historyTable(rows, { truncate, human: inv.opts.human !== false }));
  }
  return 0;
}
