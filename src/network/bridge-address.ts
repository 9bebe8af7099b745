// The gateway address on a network's bridge, so the host reaches its
// containers (published ports included) by local delivery, without the host
// forwarding packets anywhere.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { BerthError } from '../errors.js';
import type { NetworkRecord } from '../store/records.js';

const run = promisify(execFile);

/** bridge → "ifindex gateway/prefix" this thread last set up: a start on a bridge already made costs no `ip` run. */
const ready = new Map<string, string>();

const ifindex = (dev: string): Promise<string> => readFile(`/sys/class/net/${dev}/ifindex`, 'utf8').then((s) => s.trim(), () => '');

/**
 * Before the CNI ADD: the bridge plugin reuses an existing bridge, and
 * portmap enables route_localnet (for 127.0.0.1 ports) on the interface
 * that routes to the container, which needs the address in place.
 */
export async function ensureBridgeAddress(rec: NetworkRecord): Promise<void> {
  const prefix = rec.subnet.split('/')[1];
  const want = `${rec.gateway}/${prefix}`;
  const known = ready.get(rec.bridge);
  if (known !== undefined && known === `${await ifindex(rec.bridge)} ${want}`) return; // same device as when set up
  await run('ip', ['link', 'add', 'name', rec.bridge, 'type', 'bridge']).catch((err: Error) => {
    if (!/File exists/.test(err.message)) throw new BerthError('runtime_error', `cannot create bridge ${rec.bridge}: ${err.message}`);
  });
  const { stdout } = await run('ip', ['-4', '-o', 'addr', 'show', 'dev', rec.bridge]);
  if (!stdout.includes(` ${rec.gateway}/${prefix} `)) {
    await run('ip', ['addr', 'add', `${rec.gateway}/${prefix}`, 'dev', rec.bridge]).catch((err: Error) => {
      if (!/File exists|already assigned/.test(err.message)) throw new BerthError('runtime_error', `cannot give bridge ${rec.bridge} its gateway ${rec.gateway}: ${err.message}`);
    });
  }
  await run('ip', ['link', 'set', rec.bridge, 'up']);
  ready.set(rec.bridge, `${await ifindex(rec.bridge)} ${want}`);
}
