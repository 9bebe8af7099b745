// berth rename CONTAINER NEW_NAME
import type { Invocation } from '../../invocation.js';
import { BerthError } from '../../../src/errors.js';
import { withDaemon } from '../../session.js';

export default async function rename(inv: Invocation): Promise<number> {
  const [id, name] = inv.args.map((a) => a.trim());
  if (!id || !name) throw new BerthError('invalid_argument', 'neither old nor new names may be empty');
  await withDaemon(inv, (client) => client.call('container.rename', { id, name }));
  return 0;
}
