// Docker's exit codes for the commands that start a container's process
// (run, create, start -a, exec): 126 when the command cannot be invoked, 127
// when it is not found, and otherwise 125 (run/create/start) or 1 (exec), so
// a failure cannot be mistaken for the process's own exit code.
import type { Invocation } from '../../invocation.js';
import { formatError } from '../../report-error.js';
import { EXIT_FAILURE, EXIT_NOT_EXECUTABLE, EXIT_NOT_FOUND, EXIT_RUN_FAILED } from '../../exit-codes.js';

function errorCode(err: unknown): unknown {
  return err && typeof err === 'object' ? (err as { code?: unknown }).code : undefined;
}

export function startFailureCode(err: unknown, otherwise: number = EXIT_RUN_FAILED): number {
  const code = errorCode(err);
  if (code === 'command_not_found') return EXIT_NOT_FOUND;
  if (code === 'command_not_executable') return EXIT_NOT_EXECUTABLE;
  return otherwise;
}

export const execFailureCode = (err: unknown): number => startFailureCode(err, EXIT_FAILURE);

/** Runs `work`; a failure is printed like every other and exits with `codeFor(err)`. */
export async function exitCodeOnFailure(inv: Invocation, codeFor: (err: unknown) => number, work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (err) {
    process.stderr.write(formatError(err, inv.debug));
    return codeFor(err);
  }
}

/** Docker's check before attaching a terminal's stdin to a TTY container. */
export function inputIsNotATty(tty: boolean, attachStdin: boolean): boolean {
  return tty && attachStdin && process.stdin.isTTY !== true;
}

export function reportNotATty(): number {
  process.stderr.write('berth: the input device is not a TTY\n');
  return EXIT_FAILURE;
}
