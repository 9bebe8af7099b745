// berth network ls [-q] [--format FORMAT]
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { formatTable } from '../../format/table.js';
import { compileTemplate } from '../../format/template.js';

export default async function list(inv: Invocation): Promise<number> {
  const docs = await withDaemon(inv, (client) => client.call('network.list', {}));
  const format = inv.opts.format as string | undefined;
  if (inv.opts.quiet === true) process.stdout.write(docs.map((d) => `${String(d.Id).slice(0, 12)}\n`).join(''));
  else if (format?.trim() === 'json') process.stdout.write(docs.map((d) => `${JSON.stringify(d)}\n`).join(''));
  else if (format !== undefined) {
    const t = compileTemplate(format);
    process.stdout.write(docs.map((d) => `${t.render(d)}\n`).join(''));
  } else {
    process.stdout.write(formatTable(['NETWORK ID', 'NAME', 'DRIVER', 'SCOPE'], docs.map((d) => [String(d.Id).slice(0, 12), String(d.Name), String(d.Driver), String(d.Scope)])));
  }
  return 0;
}
