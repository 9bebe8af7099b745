// Docker's `X inspect` pattern: look up every name, report the ones not
// found, print one JSON array (or the template once per object), exit 1 if
// any name failed.
import type { Invocation } from '../invocation.js';
import type { BerthClient } from '../client.js';
import { withDaemon } from '../session.js';
import { formatError } from '../report-error.js';
import { compileTemplate } from '../format/template.js';

export async function inspectEach(inv: Invocation, lookup: (client: BerthClient, name: string) => Promise<unknown>): Promise<number> {
  const format = inv.opts.format as string | undefined;
  const template = format !== undefined && format.trim() !== 'json' ? compileTemplate(format) : undefined;
  const found: unknown[] = [];
  let failed = 0;
  await withDaemon(inv, async (client) => {
    for (const name of inv.args) {
      try {
        found.push(await lookup(client, name));
      } catch (err) {
        failed++;
        process.stderr.write(formatError(err, inv.debug));
      }
    }
  });
  if (template) process.stdout.write(found.map((o) => `${template.render(o)}\n`).join(''));
  else if (format !== undefined) process.stdout.write(found.map((o) => `${JSON.stringify(o)}\n`).join(''));
  else process.stdout.write(`${JSON.stringify(found, null, 4)}\n`);
  return failed > 0 ? 1 : 0;
}
