// berth pull [--platform P] IMAGE: per-layer progress, then Docker's digest/status summary.
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { cancelOnInterrupt } from '../../interrupt.js';
import { ProgressRenderer } from '../../format/progress.js';
import { withDefaultTag } from '../../format/references.js';
import { authForImage } from '../../credentials.js';

export default async function pull(inv: Invocation): Promise<number> {
  const [ref] = inv.args;
  const platform = typeof inv.opts.platform === 'string' ? inv.opts.platform : undefined;
  const auth = authForImage(ref!);
  const quiet = inv.opts.quiet === true;
  const progress = new ProgressRenderer(process.stdout, process.stdout.isTTY === true);
  const result = await withDaemon(inv, (client) =>
    client.call('image.pull', { ref: ref!, ...(platform ? { platform } : {}), ...(auth ? { auth } : {}) }, {
      onEvent: (ev) => { if (!quiet) progress.render(ev); },
      signal: cancelOnInterrupt(),
    }));
  if (quiet) {
    process.stdout.write(`${result.ref}\n`);
    return 0;
  }
  const status = progress.transferred
    ? `Downloaded newer image for ${withDefaultTag(ref!)}`
    : `Image is up to date for ${withDefaultTag(ref!)}`;
  process.stdout.write(`Digest: ${result.digest}\nStatus: ${status}\n${result.ref}\n`);
  return 0;
}
