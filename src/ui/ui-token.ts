// The visualizer's access token: random per daemon start, kept 0600 under the
// exec-root (readable by whoever may read the control socket's directory as
// root), and compared in constant time.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';

export const UI_TOKEN_FILE = 'ui.token';

export async function createUiToken(execRoot: string): Promise<string> {
  const token = randomBytes(24).toString('hex');
  await writeFileAtomic(join(execRoot, UI_TOKEN_FILE), token + '\n', 0o600);
  return token;
}

export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
