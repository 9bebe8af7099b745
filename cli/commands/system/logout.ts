// berth logout SERVER: forgets the stored credential.
import type { Invocation } from '../../invocation.js';
import { removeCredential, serverKey } from '../../credentials.js';

export default async function logout(inv: Invocation): Promise<number> {
  const [server] = inv.args;
  const removed = removeCredential(server!);
  process.stdout.write(removed ? `Removing login credentials for ${serverKey(server!)}\n` : `Not logged in to ${serverKey(server!)}\n`);
  return 0;
}
