// Usage errors the way Docker prints them: the parser's complaint, then
// "See 'berth COMMAND --help'.", and exit 125 for run, 1 for the rest.
import type { Command, CommanderError } from 'commander';
import { usageExitCode } from './exit-codes.js';

/** Thrown out of parsing instead of letting commander call process.exit. */
export class UsageExit extends Error {
  constructor(readonly exitCode: number, readonly reason: string) {
    super(reason);
    this.name = 'UsageExit';
  }
}

/** "berth image ls" for the `ls` command under `image`. */
export function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

export function formatUsageError(commanderMessage: string, path: string): string {
  const message = commanderMessage.trim().replace(/^error:\s*/, '');
  return `berth: ${message}\nSee '${path} --help'.\n`;
}

/** Installs Docker-style usage errors on `cmd`; call once per command, after its name is known. */
export function configureUsageErrors(cmd: Command, writeErr: (s: string) => void = (s) => process.stderr.write(s)): void {
  cmd.configureOutput({
    writeErr,
    outputError: (str, write) => write(formatUsageError(str, commandPath(cmd))),
  });
  cmd.exitOverride((err: CommanderError) => {
    const verb = cmd.name() === 'berth' ? undefined : cmd.name();
    throw new UsageExit(err.exitCode === 0 ? 0 : usageExitCode(verb), err.code);
  });
}
