// Opens the control channel for one command and always closes it again.
import { connect, type BerthClient } from './client.js';
import type { Invocation } from './invocation.js';
import { mark } from './timing.js';

export async function withDaemon<T>(inv: Invocation, work: (client: BerthClient) => Promise<T>): Promise<T> {
  const client = await connect(inv.host);
  mark('connected');
  try {
    return await work(client);
  } finally {
    mark('call finished');
    client.close();
  }
}
