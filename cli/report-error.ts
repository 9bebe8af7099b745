// How a failed command is told to the user: one line on stderr, no stack
// trace unless --debug.
import { isDaemonError } from './daemon-errors.js';

export function formatError(err: unknown, debug: boolean): string {
  const message = err instanceof Error ? err.message : String(err);
  const line = isDaemonError(err) ? `berth: Error response from daemon: ${message}` : `berth: ${message}`;
  const stack = debug && err instanceof Error && err.stack ? `\n${err.stack}` : '';
  return `${line}${stack}\n`;
}
