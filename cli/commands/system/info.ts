// berth info: system-wide numbers from the daemon, as Docker's "Key: value" lines.
import type { Invocation } from '../../invocation.js';
import type { InfoResult } from '../../../src/protocol/methods.js';
import { withDaemon } from '../../session.js';

export function infoLines(i: InfoResult): string {
  return [
    `Containers: ${i.containers}`,
    ` Running: ${i.running}`,
    ` Stopped: ${i.stopped}`,
    `Images: ${i.images}`,
    `Runtime: ${i.runtime}`,
    `Cgroup Layout: ${i.cgroupLayout}`,
    `Kernel Version: ${i.kernel}`,
    `Berth Root Dir: ${i.root}`,
    `Exec Root: ${i.execRoot}`,
    `Actor Hosts: ${i.actorHosts}`,
    `Journal Entries: ${i.journalEntries}`,
  ].map((l) => l + '\n').join('');
}

export default async function info(inv: Invocation): Promise<number> {
  const result = await withDaemon(inv, (client) => client.call('system.info', {}));
  process.stdout.write(infoLines(result));
  return 0;
}
