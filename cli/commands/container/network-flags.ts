// --network of `run` and `create`: Docker's network modes, checked on the client.
import { BerthError } from '../../../src/errors.js';

/** none | host | bridge | NAME | container:NAME|ID; the daemon resolves names. */
export function parseNetworkFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value === '') throw new BerthError('invalid_argument', '--network must not be empty: use none, host, bridge, a network name or container:NAME');
  if (value === 'container:' ) throw new BerthError('invalid_argument', '--network container: needs a container name or id, e.g. --network container:web');
  if (value.startsWith('container:')) return value;
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(value)) throw new BerthError('invalid_argument', `invalid --network "${value}": use none, host, bridge, a network name or container:NAME`);
  return value;
}
