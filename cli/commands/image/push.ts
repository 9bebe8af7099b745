// berth push NAME[:TAG]: per-blob progress as Docker prints it, then
// "TAG: digest: sha256:… size: N".
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { cancelOnInterrupt } from '../../interrupt.js';
import { ProgressRenderer } from '../../format/progress.js';
import { authForImage } from '../../credentials.js';

export default async function push(inv: Invocation): Promise<number> {
  const [name] = inv.args;
  const auth = authForImage(name!);
  const quiet = inv.opts.quiet === true;
  const progress = new ProgressRenderer(process.stdout, process.stdout.isTTY === true);
  const result = await withDaemon(inv, (client) =>
    client.call('image.push', { ref: name!, ...(auth ? { auth } : {}) }, {
      onEvent: (ev) => { if (!quiet) progress.render(ev); },
      signal: cancelOnInterrupt(),
    }));
  const colon = result.ref.lastIndexOf(':');
  const tag = colon > result.ref.lastIndexOf('/') ? result.ref.slice(colon + 1) : 'latest';
  process.stdout.write(quiet ? `${result.ref}\n` : `${tag}: digest: ${result.digest} size: ${result.size}\n`);
  return 0;
}
