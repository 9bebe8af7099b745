// The root `berth` command alone: its options and usage errors, with no
// sub-command registered. cli/program.ts adds the top-level commands; a
// per-command bundle (scripts/bundle-cli.mjs) adds just its own.
import { Command } from 'commander';
import { configureUsageErrors } from './usage-errors.js';

export function rootProgram(version: string): Command {
  const program = new Command('berth')
    .description('A container engine with Docker\'s command grammar')
    .usage('[OPTIONS] COMMAND')
    .enablePositionalOptions()
    .option('-H, --host <HOST>', 'Daemon socket to connect to (default unix:///run/berth/berth.sock, or $BERTH_HOST)')
    .option('-D, --debug', 'Enable debug mode (stack traces on errors)')
    .version(`Berth version ${version}`, '-v, --version', 'Print version information and quit')
    .helpCommand(false);
  configureUsageErrors(program);
  return program;
}
