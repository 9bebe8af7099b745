// berth inspect [-f FORMAT] [--type container|image] NAME...   (and berth container inspect)
// Each name is looked up as a container first, then (unless --type
// container) as an image. Without a format: one JSON array, indented like
// Docker's; with one: the template once per object ("json" = one line each).
// Names that match nothing are reported; the exit code is then 1.
import type { Invocation } from '../../invocation.js';
import type { BerthClient } from '../../client.js';
import { BerthError } from '../../../src/errors.js';
import { inspectEach } from '../inspect-each.js';

type ObjectType = 'container' | 'image' | undefined;

function isNotFound(err: unknown): boolean {
  return err instanceof BerthError && err.code === 'not_found';
}

async function lookup(client: BerthClient, name: string, type: ObjectType): Promise<Record<string, unknown>> {
  if (type !== 'image') {
    try {
      return await client.call('container.inspect', { id: name });
    } catch (err) {
      if (type === 'container' || !isNotFound(err)) throw err;
    }
  }
  try {
    return await client.call('image.inspect', { name });
  } catch (err) {
    if (type === undefined && isNotFound(err)) throw new BerthError('not_found', `No such object: ${name}`);
    throw err;
  }
}

export default async function inspect(inv: Invocation): Promise<number> {
  const type = inv.command === 'container-inspect' ? 'container' : (inv.opts.type as string | undefined);
  if (type !== undefined && type !== 'container' && type !== 'image') {
    throw new BerthError('invalid_argument', `"${type}" is not a valid value for --type; use container or image`);
  }
  return inspectEach(inv, (client, name) => lookup(client, name, type as ObjectType));
}
