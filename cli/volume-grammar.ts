// `berth volume …`: Docker's volume management commands.
import type { Command } from 'commander';
import type { Dispatch } from './invocation.js';
import { collect, group, verb } from './grammar.js';

export function defineVolumeCommands(program: Command, dispatch: Dispatch): void {
  const volume = group(program, 'volume', 'Manage volumes');
  verb(volume, 'create', 'volume-create', dispatch, 'Create a volume')
    .argument('[VOLUME]', 'volume name (default: a generated one)')
    .option('-d, --driver <DRIVER>', 'Specify volume driver name (local)')
    .option('--label <KEY=VALUE>', 'Set metadata for a volume (repeatable)', collect)
    .option('-o, --opt <KEY=VALUE>', 'Set driver specific options: type, device, o (repeatable)', collect);
  verb(volume, 'ls', 'volume-ls', dispatch, 'List volumes')
    .alias('list')
    .option('-q, --quiet', 'Only display volume names')
    .option('-f, --filter <KEY=VALUE>', 'Provide filter values: dangling, driver, label, name (repeatable)', collect)
    .option('--format <FORMAT>', "Format output using a Go template ('json' for one line per volume)");
  verb(volume, 'inspect', 'volume-inspect', dispatch, 'Display detailed information on one or more volumes')
    .argument('<VOLUME...>', 'volume names')
    .option('-f, --format <FORMAT>', 'Format output using a Go template');
  verb(volume, 'rm', 'volume-rm', dispatch, 'Remove one or more volumes')
    .alias('remove')
    .argument('<VOLUME...>', 'volume names')
    .option('-f, --force', 'Do not error when a volume does not exist');
  verb(volume, 'prune', 'volume-prune', dispatch, 'Remove unused local volumes')
    .option('-a, --all', 'Remove all unused volumes, not just anonymous ones')
    .option('--filter <KEY=VALUE>', 'Provide filter values: label (repeatable)', collect)
    .option('-f, --force', 'Do not prompt for confirmation');
}
