// berth volume inspect [-f FORMAT] VOLUME...
import type { Invocation } from '../../invocation.js';
import { inspectEach } from '../inspect-each.js';

export default function inspect(inv: Invocation): Promise<number> {
  return inspectEach(inv, (client, name) => client.call('volume.inspect', { name }));
}
