// Docker's command grammar for berth: which commands exist, their flags and
// arguments. Parsing only — each action hands an Invocation to `dispatch`,
// which loads the command's module on demand.
import { Command, InvalidArgumentError, Option } from 'commander';
import type { CommandName, Dispatch } from './invocation.js';
import { configureUsageErrors } from './usage-errors.js';

type Define = (parent: Command, name: string, dispatch: Dispatch) => Command;

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function seconds(value: string): number {
  if (!/^-?\d+$/.test(value)) {
    throw new InvalidArgumentError(`"${value}" is not a whole number of seconds (e.g. -t 5).`);
  }
  return Number(value);
}

/** Adds a sub-command, its hidden -H (so `berth ps -H …` works too) and the action that dispatches it. */
function verb(parent: Command, name: string, command: CommandName, dispatch: Dispatch, description: string): Command {
  const cmd = parent.command(name).description(description);
  cmd.addOption(new Option('-H, --host <HOST>', 'Daemon socket to connect to').hideHelp());
  configureUsageErrors(cmd);
  cmd.action(async (...received: unknown[]) => {
    const self = received[received.length - 1] as Command;
    const root = rootOf(self);
    const own = self.opts() as Record<string, unknown>;
    const globals = root.opts() as { host?: string; debug?: boolean };
    const { host, ...opts } = own;
    await dispatch({
      command,
      args: (self.processedArgs as unknown[]).flat().filter((a): a is string => typeof a === 'string'),
      opts,
      host: (host as string | undefined) ?? globals.host,
      debug: globals.debug === true,
    });
  });
  return cmd;
}

function rootOf(cmd: Command): Command {
  let c = cmd;
  while (c.parent) c = c.parent;
  return c;
}

export const definePull: Define = (parent, name, dispatch) =>
  verb(parent, name, 'pull', dispatch, 'Download an image from a registry')
    .argument('<IMAGE>', 'image reference, e.g. busybox or busybox:1.36');

export const defineImages: Define = (parent, name, dispatch) =>
  verb(parent, name, 'images', dispatch, 'List images')
    .option('-q, --quiet', 'Only show image IDs')
    .option('--no-trunc', "Don't truncate output");

export const defineLoad: Define = (parent, name, dispatch) =>
  verb(parent, name, 'load', dispatch, 'Load an image from a tar archive or STDIN')
    .option('-i, --input <FILE>', 'Read from tar archive file, instead of STDIN')
    .option('-q, --quiet', 'Suppress the load progress');

export const defineRun: Define = (parent, name, dispatch) =>
  verb(parent, name, 'run', dispatch, 'Create and run a new container from an image')
    .argument('<IMAGE>', 'image to run')
    .argument('[COMMAND...]', 'command and arguments; flags after IMAGE belong to the command')
    .passThroughOptions()
    .option('--rm', 'Automatically remove the container when it exits')
    .option('-d, --detach', 'Run container in background and print container ID')
    .option('--name <NAME>', 'Assign a name to the container')
    .option('-e, --env <VAR[=VALUE]>', 'Set environment variables (repeatable; VAR alone copies it from this shell)', collect)
    .option('-w, --workdir <DIR>', 'Working directory inside the container')
    .option('--entrypoint <CMD>', 'Overwrite the default ENTRYPOINT of the image ("" clears it)');

export const definePs: Define = (parent, name, dispatch) =>
  verb(parent, name, 'ps', dispatch, 'List containers')
    .option('-a, --all', 'Show all containers (default shows just running)')
    .option('-q, --quiet', 'Only display container IDs')
    .option('--no-trunc', "Don't truncate output");

export const defineLogs: Define = (parent, name, dispatch) =>
  verb(parent, name, 'logs', dispatch, 'Fetch the logs of a container')
    .argument('<CONTAINER>', 'container name or id');

export const defineStop: Define = (parent, name, dispatch) =>
  verb(parent, name, 'stop', dispatch, 'Stop one or more running containers')
    .argument('<CONTAINER...>', 'container names or ids')
    .option('-t, --time <SECONDS>', 'Seconds to wait before killing the container', seconds);

export const defineRm: Define = (parent, name, dispatch) =>
  verb(parent, name, 'rm', dispatch, 'Remove one or more containers')
    .argument('<CONTAINER...>', 'container names or ids')
    .option('-f, --force', 'Force the removal of a running container (uses SIGKILL)');

export const defineVersion: Define = (parent, name, dispatch) =>
  verb(parent, name, 'version', dispatch, 'Show the Berth version information');

export const defineInfo: Define = (parent, name, dispatch) =>
  verb(parent, name, 'info', dispatch, 'Display system-wide information');

/** Docker's management commands: `berth image ls`, `berth container run`, … */
function group(parent: Command, name: string, description: string): Command {
  const cmd = parent.command(name).description(description).helpCommand(false);
  configureUsageErrors(cmd);
  return cmd;
}

export function buildProgram(dispatch: Dispatch, version: string): Command {
  const program = new Command('berth')
    .description('A container engine with Docker\'s command grammar')
    .usage('[OPTIONS] COMMAND')
    .enablePositionalOptions()
    .option('-H, --host <HOST>', 'Daemon socket to connect to (default unix:///run/berth/berth.sock, or $BERTH_HOST)')
    .option('-D, --debug', 'Enable debug mode (stack traces on errors)')
    .version(`Berth version ${version}`, '-v, --version', 'Print version information and quit')
    .helpCommand(false);
  configureUsageErrors(program);

  definePull(program, 'pull', dispatch);
  defineImages(program, 'images', dispatch);
  defineLoad(program, 'load', dispatch);
  defineRun(program, 'run', dispatch);
  definePs(program, 'ps', dispatch);
  defineLogs(program, 'logs', dispatch);
  defineStop(program, 'stop', dispatch);
  defineRm(program, 'rm', dispatch);
  defineVersion(program, 'version', dispatch);
  defineInfo(program, 'info', dispatch);

  const image = group(program, 'image', 'Manage images');
  defineImages(image, 'ls', dispatch).alias('list');
  definePull(image, 'pull', dispatch);
  defineLoad(image, 'load', dispatch);

  const container = group(program, 'container', 'Manage containers');
  definePs(container, 'ls', dispatch).aliases(['ps', 'list']);
  defineRun(container, 'run', dispatch);
  defineLogs(container, 'logs', dispatch);
  defineStop(container, 'stop', dispatch);
  defineRm(container, 'rm', dispatch);

  return program;
}
