// --network of `run` and `create`: Docker's network modes, checked on the client.
import { BerthError } from '../../../src/errors.js';
import { exposedKeys, parsePublish } from '../../../src/network/ports.js';

/** none | host | bridge | NAME | container:NAME|ID; the daemon resolves names. */
export function parseNetworkFlag(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value === '') throw new BerthError('invalid_argument', '--network must not be empty: use none, host, bridge, a network name or container:NAME');
  if (value === 'container:' ) throw new BerthError('invalid_argument', '--network container: needs a container name or id, e.g. --network container:web');
  if (value.startsWith('container:')) return value;
  if (!/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(value)) throw new BerthError('invalid_argument', `invalid --network "${value}": use none, host, bridge, a network name or container:NAME`);
  return value;
}

/** The /etc and publish flags as CreateParams fields (checked again by the daemon). */
export function networkParams(flags: { addHost?: string[]; dns?: string[]; dnsSearch?: string[]; dnsOption?: string[]; networkAlias?: string[]; publish?: string[]; publishAll?: boolean; ip?: string; expose?: string[] }): Record<string, string | string[] | boolean> {
  const out: Record<string, string | string[] | boolean> = {};
  for (const p of flags.publish ?? []) parsePublish(p); // bad specs fail before the daemon is asked
  if (flags.publish?.length) out.publish = flags.publish;
  if (flags.publishAll) out.publishAll = true;
  for (const e of flags.expose ?? []) exposedKeys(e);
  if (flags.expose?.length) out.expose = flags.expose;
  if (flags.addHost?.length) out.addHosts = flags.addHost;
  if (flags.dns?.length) out.dns = flags.dns;
  if (flags.dnsSearch?.length) out.dnsSearch = flags.dnsSearch;
  if (flags.dnsOption?.length) out.dnsOptions = flags.dnsOption;
  if (flags.networkAlias?.length) out.networkAliases = flags.networkAlias;
  if (flags.ip !== undefined) out.ip = flags.ip;
  return out;
}
