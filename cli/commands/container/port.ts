// berth port CONTAINER [PRIVATE_PORT[/PROTO]]: "80/tcp -> 0.0.0.0:8080" lines, or the host addresses of one port.
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { BerthError } from '../../../src/errors.js';

export default async function port(inv: Invocation): Promise<number> {
  const [id, wanted] = inv.args;
  const maps = await withDaemon(inv, (client) => client.call('container.port', { id }));
  const key = (m: { containerPort: number; protocol: string }) => `${m.containerPort}/${m.protocol}`;
  if (wanted !== undefined) {
    const w = wanted.includes('/') ? wanted : `${wanted}/tcp`;
    const hits = maps.filter((m) => key(m) === w);
    if (hits.length === 0) throw new BerthError('not_found', `No public port '${w}' published for ${id}`);
    process.stdout.write(hits.map((m) => `${m.hostIP || '0.0.0.0'}:${m.hostPort}\n`).join(''));
    return 0;
  }
  process.stdout.write(maps.map((m) => `${key(m)} -> ${m.hostIP || '0.0.0.0'}:${m.hostPort}\n`).join(''));
  return 0;
}
