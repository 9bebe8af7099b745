// berth system df [-v] [--format json|TEMPLATE]: disk space used by images, containers, volumes and build cache.
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { summaryRows, summaryTable, verboseTables } from '../../format/df-table.js';
import { compileTemplate } from '../../format/template.js';

export default async function df(inv: Invocation): Promise<number> {
  const usage = await withDaemon(inv, (client) => client.call('system.df', {}));
  const format = inv.opts.format as string | undefined;
  if (format !== undefined && format !== '' && format !== 'table') {
    const tpl = format === 'json' ? null : compileTemplate(format.replace(/^table\s*/, ''));
    const lines = summaryRows(usage).map((r) => (tpl ? tpl.render(r) : JSON.stringify(r)));
    process.stdout.write(lines.map((l) => `${l}\n`).join(''));
    return 0;
  }
  process.stdout.write(inv.opts.verbose === true ? verboseTables(usage) : summaryTable(usage));
  return 0;
}
