// What start -a and attach need to know before attaching: does the container
// have a TTY, and was it created with stdin open? Read from container.inspect
// (Docker's shape: Config.Tty, Config.OpenStdin).
import type { BerthClient } from '../../client.js';

export interface AttachConfig { tty: boolean; openStdin: boolean }

export async function attachConfig(client: BerthClient, id: string): Promise<AttachConfig> {
  const info = await client.call('container.inspect', { id });
  const config = (info.Config ?? {}) as { Tty?: unknown; OpenStdin?: unknown };
  return { tty: config.Tty === true, openStdin: config.OpenStdin !== false };
}
