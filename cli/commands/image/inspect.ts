// berth image inspect [-f FORMAT] IMAGE...   (also: berth inspect for images)
// Without a format: a JSON array, indented like Docker's. With one: the
// template once per image. Images that are not found are reported; the
// others are still printed; the exit code is 1 if any failed.
import type { Invocation } from '../../invocation.js';
import { BerthError } from '../../../src/errors.js';
import { withDaemon } from '../../session.js';
import { formatError } from '../../report-error.js';
import { compileTemplate } from '../../format/template.js';

export default async function inspect(inv: Invocation): Promise<number> {
  const type = inv.opts.type as string | undefined;
  if (type !== undefined && type !== 'image') {
    throw new BerthError('invalid_argument', `"${type}" is not a type berth inspect knows here; use --type image`);
  }
  const format = inv.opts.format as string | undefined;
  const template = format !== undefined && format.trim() !== 'json' ? compileTemplate(format) : undefined;
  const found: Record<string, unknown>[] = [];
  let failed = 0;
  await withDaemon(inv, async (client) => {
    for (const name of inv.args) {
      try {
        found.push(await client.call('image.inspect', { name }));
      } catch (err) {
        failed++;
        process.stderr.write(formatError(err, inv.debug));
      }
    }
  });
  if (template) {
    let out = '';
    for (const img of found) out += `${template.render(img)}\n`;
    process.stdout.write(out);
  } else if (format !== undefined) {
    process.stdout.write(found.map((img) => `${JSON.stringify(img)}\n`).join(''));
  } else {
    process.stdout.write(`${JSON.stringify(found, null, 4)}\n`);
  }
  return failed > 0 ? 1 : 0;
}
