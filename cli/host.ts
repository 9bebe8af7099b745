// Where the daemon listens: -H/--host, else $BERTH_HOST, else the default
// socket. Only unix sockets exist; anything else is refused with a hint.
import { BerthError } from '../src/errors.js';

export const DEFAULT_SOCKET_PATH = '/run/berth/berth.sock';

export interface DaemonAddress {
  /** As the user would write it: unix:///run/berth/berth.sock */
  url: string;
  socketPath: string;
}

/** Picks the address: the flag wins over $BERTH_HOST, which wins over the default. Empty values count as unset. */
export function resolveHost(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): DaemonAddress {
  const chosen = nonEmpty(flag) ?? nonEmpty(env.BERTH_HOST);
  if (chosen === undefined) return { url: `unix://${DEFAULT_SOCKET_PATH}`, socketPath: DEFAULT_SOCKET_PATH };
  return parseHost(chosen, flag !== undefined && nonEmpty(flag) !== undefined ? '-H/--host' : 'BERTH_HOST');
}

export function parseHost(value: string, source = '-H/--host'): DaemonAddress {
  let socketPath: string;
  if (value.startsWith('unix://')) socketPath = value.slice('unix://'.length);
  else if (value.startsWith('/')) socketPath = value;
  else {
    throw new BerthError('invalid_argument',
      `invalid host "${value}" in ${source}: Berth's daemon listens on a unix socket; write it as unix:///path/to/berth.sock`);
  }
  if (!socketPath.startsWith('/')) {
    throw new BerthError('invalid_argument',
      `invalid host "${value}" in ${source}: the socket path must be absolute, e.g. unix:///run/berth/berth.sock`);
  }
  return { url: `unix://${socketPath}`, socketPath };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}
