// berth commit [-a AUTHOR] [-m MESSAGE] [-c LINE]... [--pause=false] CONTAINER [REPOSITORY[:TAG]]:
// a new image from the container's changes; prints its id.
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { cancelOnInterrupt } from '../../interrupt.js';

export default async function commit(inv: Invocation): Promise<number> {
  const [id, repository] = inv.args;
  const result = await withDaemon(inv, (client) =>
    client.call('container.commit', {
      id,
      repository,
      author: inv.opts.author as string | undefined,
      message: inv.opts.message as string | undefined,
      changes: (inv.opts.change as string[] | undefined) ?? [],
      pause: inv.opts.pause !== false,
    }, { signal: cancelOnInterrupt() }));
  process.stdout.write(`${result.id}\n`);
  return 0;
}
