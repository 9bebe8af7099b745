// berth volume ls [-q] [-f KEY=VALUE] [--format FORMAT]
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { parseFilters } from '../container/filters.js';
import { formatTable } from '../../format/table.js';
import { compileTemplate } from '../../format/template.js';

export default async function list(inv: Invocation): Promise<number> {
  const filters = parseFilters(inv.opts.filter as string[] | undefined);
  const docs = await withDaemon(inv, (client) => client.call('volume.list', filters ? { filters } : {}));
  const format = inv.opts.format as string | undefined;
  if (inv.opts.quiet === true) process.stdout.write(docs.map((d) => `${d.Name}\n`).join(''));
  else if (format?.trim() === 'json') process.stdout.write(docs.map((d) => `${JSON.stringify(d)}\n`).join(''));
  else if (format !== undefined) {
    const t = compileTemplate(format);
    process.stdout.write(docs.map((d) => `${t.render(d)}\n`).join(''));
  } else process.stdout.write(formatTable(['DRIVER', 'VOLUME NAME'], docs.map((d) => [d.Driver, d.Name])));
  return 0;
}
