// Grammar of the container file system and disk usage commands: cp, diff,
// commit, system df, system prune.
import { Command, Option } from 'commander';
import type { Dispatch } from './invocation.js';
import { collect, group, verb } from './grammar.js';

type Define = (parent: Command, name: string, dispatch: Dispatch) => Command;

export const defineCp: Define = (parent, name, dispatch) =>
  verb(parent, name, 'cp', dispatch, 'Copy files/folders between a container and the local filesystem')
    .argument('<SRC>', 'CONTAINER:SRC_PATH, a local path, or - for a tar stream on STDIN')
    .argument('<DEST>', 'CONTAINER:DEST_PATH, a local path, or - for a tar stream on STDOUT')
    .option('-a, --archive', 'Archive mode (copy all uid/gid information)')
    .option('-L, --follow-link', 'Always follow symbol link in SRC_PATH')
    .option('-q, --quiet', 'Suppress progress output during copy');

export const defineDiff: Define = (parent, name, dispatch) =>
  verb(parent, name, 'diff', dispatch, "Inspect changes to files or directories on a container's filesystem")
    .argument('<CONTAINER>', 'container name or id');

export const defineCommit: Define = (parent, name, dispatch) =>
  verb(parent, name, 'commit', dispatch, "Create a new image from a container's changes")
    .argument('<CONTAINER>', 'container name or id')
    .argument('[REPOSITORY[:TAG]]', 'name for the new image')
    .option('-a, --author <AUTHOR>', 'Author (e.g., "John Hannibal Smith <hannibal@a-team.com>")')
    .option('-c, --change <LINE>', 'Apply Dockerfile instruction to the created image', collect)
    .option('-m, --message <MESSAGE>', 'Commit message')
    .option('-p, --pause', 'Pause container during commit (default true; --pause=false to turn off)')
    .addOption(new Option('--no-pause').hideHelp());

export const defineSystemDf: Define = (parent, name, dispatch) =>
  verb(parent, name, 'system-df', dispatch, 'Show docker disk usage')
    .option('-v, --verbose', 'Show detailed information on space usage')
    .option('--format <FORMAT>', "Format output using a Go template ('json' for JSON)");

export const defineSystemPrune: Define = (parent, name, dispatch) =>
  verb(parent, name, 'system-prune', dispatch, 'Remove unused data')
    .option('-a, --all', 'Remove all unused images not just dangling ones')
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--volumes', 'Prune anonymous volumes')
    .option('--filter <KEY=VALUE>', 'Provide filter values (e.g. "label=<key>=<value>")', collect);

/** `berth system df|prune`. */
export function defineSystemCommands(program: Command, dispatch: Dispatch): void {
  const system = group(program, 'system', 'Manage Berth');
  defineSystemDf(system, 'df', dispatch);
  defineSystemPrune(system, 'prune', dispatch);
}
