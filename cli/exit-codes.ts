// Docker's exit codes. `run` reserves 125–127 for its own failures so they
// cannot be mistaken for the container's exit code; other commands use 1.

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
/** run: the daemon (or the CLI) failed before the container's process started. */
export const EXIT_RUN_FAILED = 125;
/** run: the command exists but could not be executed. */
export const EXIT_NOT_EXECUTABLE = 126;
/** run: the command was not found in the image. */
export const EXIT_NOT_FOUND = 127;

export function usageExitCode(command: string | undefined): number {
  return command === 'run' ? EXIT_RUN_FAILED : EXIT_FAILURE;
}

export function failureExitCode(command: string | undefined, err: unknown): number {
  if (command !== 'run') return EXIT_FAILURE;
  const code = err && typeof err === 'object' ? (err as { code?: unknown }).code : undefined;
  if (code === 'command_not_found') return EXIT_NOT_FOUND;
  if (code === 'command_not_executable') return EXIT_NOT_EXECUTABLE;
  return EXIT_RUN_FAILED;
}
