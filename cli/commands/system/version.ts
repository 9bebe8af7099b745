// berth version: the client's versions always; the server's when it answers.
import type { Invocation } from '../../invocation.js';
import type { VersionResult } from '../../../src/protocol/methods.js';
import { PROTOCOL_VERSION } from '../../../src/protocol/frames.js';
import { withDaemon } from '../../session.js';
import { formatError } from '../../report-error.js';
import { osArch } from '../../format/platform.js';
import { keyValueBlock } from '../../format/key-value.js';

// Read from the bundle-time define here as well as in cli/version.ts: a module
// shared with the entry would become one more file to load on every start.
declare const __BERTH_VERSION__: string | undefined;
const CLIENT_VERSION = typeof __BERTH_VERSION__ === 'string' ? __BERTH_VERSION__ : '0.0.0-dev';

export function clientBlock(): string {
  return 'Client:\n' + keyValueBlock([
    ['Version', CLIENT_VERSION],
    ['API version', String(PROTOCOL_VERSION)],
    ['Node version', process.version],
    ['OS/Arch', osArch(process.platform, process.arch)],
  ], 1);
}

export function serverBlock(v: VersionResult): string {
  return 'Server:\n' + keyValueBlock([
    ['Version', v.version],
    ['API version', String(v.apiVersion)],
    ['Node version', v.node],
    ['OS/Arch', osArch(v.os, v.arch)],
    ['Runtime', v.runtime],
  ], 1);
}

export default async function version(inv: Invocation): Promise<number> {
  process.stdout.write(clientBlock());
  try {
    const server = await withDaemon(inv, (client) => client.call('system.version', {}));
    process.stdout.write('\n' + serverBlock(server));
    return 0;
  } catch (err) {
    process.stdout.write('\n');
    process.stderr.write(formatError(err, inv.debug));
    return 1;
  }
}
