// berth update [--memory ..] [--cpus ..] [--cpu-shares ..] [--pids-limit ..] [--restart ..] CONTAINER...
// Prints each container as it is updated, as Docker does.
import type { Invocation } from '../../invocation.js';
import { BerthError } from '../../../src/errors.js';
import { toHostOptions, type ResourceFlags } from './resource-flags.js';
import { parseRestartPolicy } from './restart-policy.js';
import { forEachTarget } from '../for-each-target.js';

export default async function update(inv: Invocation): Promise<number> {
  const flags = inv.opts as ResourceFlags & { restart?: string };
  const host = toHostOptions(flags) ?? {};
  if (flags.restart !== undefined) parseRestartPolicy(flags.restart);
  if (Object.keys(host).length === 0 && flags.restart === undefined) {
    throw new BerthError('invalid_argument', 'you must provide one or more flags when using this command (e.g. --memory 256m, --cpus 1, --restart always)');
  }
  return forEachTarget(inv, (client, id) => client.call('container.update', { id, host, restart: flags.restart }));
}
