// Docker's command grammar for berth: which commands exist, their flags and
// arguments. Parsing only — each action hands an Invocation to `dispatch`,
// which loads the command's module on demand.
import { Command, InvalidArgumentError, Option, type CommanderError } from 'commander';
import type { CommandName, Dispatch } from './invocation.js';
import { configureUsageErrors, UsageExit } from './usage-errors.js';
import { EXIT_RUN_FAILED } from './exit-codes.js';
import { withResourceFlags } from './resource-grammar.js';
import { withClientFlags, withRunAttachFlags } from './run-client-grammar.js';
import { withCompatFlags } from './compat-grammar.js';

export type Define = (parent: Command, name: string, dispatch: Dispatch) => Command;

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function seconds(value: string): number {
  if (!/^-?\d+$/.test(value)) {
    throw new InvalidArgumentError(`"${value}" is not a whole number of seconds (e.g. -t 5).`);
  }
  return Number(value);
}

/** Adds a sub-command, its hidden -H (so `berth ps -H …` works too) and the action that dispatches it. */
export function verb(parent: Command, name: string, command: CommandName, dispatch: Dispatch, description: string): Command {
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

/** Docker's management commands: `berth image ls`, `berth container run`, … */
export function group(parent: Command, name: string, description: string): Command {
  const cmd = parent.command(name).description(description).helpCommand(false);
  configureUsageErrors(cmd);
  return cmd;
}

export const definePull: Define = (parent, name, dispatch) =>
  verb(parent, name, 'pull', dispatch, 'Download an image from a registry')
    .argument('<IMAGE>', 'image reference, e.g. busybox or busybox:1.36')
    .option('--platform <PLATFORM>', 'Set platform if server is multi-platform capable (os/arch[/variant])')
    .option('-q, --quiet', 'Suppress verbose output');

export const definePush: Define = (parent, name, dispatch) =>
  verb(parent, name, 'push', dispatch, 'Upload an image to a registry')
    .argument('<NAME[:TAG]>', 'local image name, e.g. 127.0.0.1:5000/busybox:latest')
    .option('-q, --quiet', 'Suppress verbose output');

export const defineLogin: Define = (parent, name, dispatch) =>
  verb(parent, name, 'login', dispatch, 'Log in to a registry')
    .argument('<SERVER>', 'registry host[:port]')
    .option('-u, --username <USER>', 'Username')
    .option('-p, --password <PASSWORD>', 'Password (insecure; prefer --password-stdin)')
    .option('--password-stdin', 'Take the password from stdin');

export const defineLogout: Define = (parent, name, dispatch) =>
  verb(parent, name, 'logout', dispatch, 'Log out from a registry')
    .argument('<SERVER>', 'registry host[:port]');

export const defineImages: Define = (parent, name, dispatch) =>
  verb(parent, name, 'images', dispatch, 'List images')
    .option('-q, --quiet', 'Only show image IDs')
    .option('--no-trunc', "Don't truncate output")
    .option('-a, --all', 'Show all images (default hides intermediate images)')
    .option('--digests', 'Show digests')
    .option('-f, --filter <FILTER>', 'Filter output based on conditions provided (dangling=, reference=, label=, before=, since=)', collect)
    .option('--format <FORMAT>', "Format output using a Go template ('table', 'table TEMPLATE', 'json', 'TEMPLATE')");

export const defineRmi: Define = (parent, name, dispatch) =>
  verb(parent, name, 'rmi', dispatch, 'Remove one or more images')
    .argument('<IMAGE...>', 'image names or ids')
    .option('-f, --force', 'Force removal of the image');

export const defineTag: Define = (parent, name, dispatch) =>
  verb(parent, name, 'tag', dispatch, 'Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE')
    .argument('<SOURCE_IMAGE>', 'image name or id, e.g. busybox:latest')
    .argument('<TARGET_IMAGE>', 'new name, e.g. myrepo/busybox:v1');

export const defineImagePrune: Define = (parent, name, dispatch) =>
  verb(parent, name, 'image-prune', dispatch, 'Remove unused images')
    .option('-a, --all', 'Remove all unused images, not just dangling ones')
    .option('-f, --force', 'Do not prompt for confirmation');

export const defineInspect: Define = (parent, name, dispatch) =>
  verb(parent, name, 'inspect', dispatch, 'Display detailed information on one or more images')
    .argument('<NAME...>', 'image names or ids')
    .option('-f, --format <FORMAT>', "Format output using a Go template ('json' for one line per image)")
    .option('--type <TYPE>', 'Only inspect objects of the given type (image)');

export const defineHistory: Define = (parent, name, dispatch) =>
  verb(parent, name, 'history', dispatch, 'Show the history of an image')
    .argument('<IMAGE>', 'image name or id')
    .option('-q, --quiet', 'Only show image IDs')
    .option('--no-trunc', "Don't truncate output")
    .option('--format <FORMAT>', 'Format output using a Go template');

export const defineSave: Define = (parent, name, dispatch) =>
  verb(parent, name, 'save', dispatch, 'Save one or more images to a tar archive (streamed to STDOUT by default)')
    .argument('<IMAGE...>', 'image names or ids')
    .option('-o, --output <FILE>', 'Write to a file, instead of STDOUT');

export const defineImport: Define = (parent, name, dispatch) =>
  verb(parent, name, 'import', dispatch, 'Import the contents from a tarball to create a filesystem image')
    .argument('<FILE>', 'root filesystem tarball, or - for STDIN')
    .argument('[REPOSITORY[:TAG]]', 'name for the new image')
    .option('-c, --change <LINE>', 'Apply a Dockerfile instruction to the image (CMD, ENTRYPOINT, ENV, WORKDIR, USER, LABEL, EXPOSE, VOLUME, STOPSIGNAL)', collect)
    .option('-m, --message <MESSAGE>', 'Set commit message for imported image');

export const defineExport: Define = (parent, name, dispatch) =>
  verb(parent, name, 'export', dispatch, "Export a container's filesystem as a tar archive")
    .argument('<CONTAINER>', 'container name or id')
    .option('-o, --output <FILE>', 'Write to a file, instead of STDOUT');

export const defineLoad: Define = (parent, name, dispatch) =>
  verb(parent, name, 'load', dispatch, 'Load an image from a tar archive or STDIN')
    .option('-i, --input <FILE>', 'Read from tar archive file, instead of STDIN')
    .option('-q, --quiet', 'Suppress the load progress');

export const defineRun: Define = (parent, name, dispatch) =>
  runFamilyUsageErrors(withRunAttachFlags(withContainerFlags(verb(parent, name, 'run', dispatch, 'Create and run a new container from an image')
    .argument('<IMAGE>', 'image to run')
    .argument('[COMMAND...]', 'command and arguments; flags after IMAGE belong to the command')
    .passThroughOptions())
    .option('-d, --detach', 'Run container in background and print container ID')
    .option('--detach-keys <KEYS>', 'Override the key sequence for detaching a container')));
export const definePs: Define = (parent, name, dispatch) =>
  verb(parent, name, 'ps', dispatch, 'List containers')
    .option('-a, --all', 'Show all containers (default shows just running)')
    .option('-q, --quiet', 'Only display container IDs')
    .option('--no-trunc', "Don't truncate output")
    .option('-n, --last <N>', 'Show n last created containers (includes all states)', count)
    .option('-l, --latest', 'Show the latest created container (includes all states)')
    .option('-s, --size', 'Display total file sizes')
    .option('-f, --filter <KEY=VALUE>', 'Filter output based on conditions provided (repeatable)', collect)
    .option('--format <FORMAT>', "Format output using a Go template ('table', 'table TEMPLATE', 'json', 'TEMPLATE')");
export const defineLogs: Define = (parent, name, dispatch) =>
  verb(parent, name, 'logs', dispatch, 'Fetch the logs of a container')
    .argument('<CONTAINER>', 'container name or id')
    .option('-f, --follow', 'Follow log output')
    .option('-t, --timestamps', 'Show timestamps')
    .option('--since <TIME>', 'Show logs since timestamp (RFC 3339, Unix seconds) or relative (e.g. 42m)')
    .option('--until <TIME>', 'Show logs before a timestamp (RFC 3339, Unix seconds) or relative (e.g. 42m)')
    .option('-n, --tail <N>', 'Number of lines to show from the end of the logs ("all" for all)');
export const defineStop: Define = (parent, name, dispatch) =>
  verb(parent, name, 'stop', dispatch, 'Stop one or more running containers')
    .argument('<CONTAINER...>', 'container names or ids')
    .option('-t, --time <SECONDS>', 'Seconds to wait before killing the container', seconds);

export const defineRm: Define = (parent, name, dispatch) =>
  verb(parent, name, 'rm', dispatch, 'Remove one or more containers')
    .argument('<CONTAINER...>', 'container names or ids')
    .option('-f, --force', 'Force the removal of a running container (uses SIGKILL)')
    .option('-v, --volumes', 'Remove anonymous volumes associated with the container');

export const defineVersion: Define = (parent, name, dispatch) =>
  verb(parent, name, 'version', dispatch, 'Show the Berth version information');

export const defineInfo: Define = (parent, name, dispatch) =>
  verb(parent, name, 'info', dispatch, 'Display system-wide information');

export const defineUi: Define = (parent, name, dispatch) =>
  verb(parent, name, 'ui', dispatch, "Print the URL of the daemon's live state visualizer (opens nothing)");

// ---- Container lifecycle (issue 5): run/create flags, start … events ----

/** run/create/start share Docker's 125 for usage errors (the command's own failures). */
function runFamilyUsageErrors(cmd: Command): Command {
  return cmd.exitOverride((err: CommanderError) => {
    throw new UsageExit(err.exitCode === 0 ? 0 : EXIT_RUN_FAILED, err.code);
  });
}

function count(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a whole number (e.g. -n 5).`);
  return Number(value);
}

/** The container-config flags run and create share. -h is --hostname there, as in Docker; help stays on --help. */
function withContainerFlags(cmd: Command): Command {
  return withCompatFlags(withClientFlags(withResourceFlags(cmd)))
    .helpOption('--help', 'Display help for command')
    .option('--rm', 'Automatically remove the container when it exits')
    .option('--name <NAME>', 'Assign a name to the container')
    .option('-e, --env <VAR[=VALUE]>', 'Set environment variables (repeatable; VAR alone copies it from this shell)', collect)
    .option('--env-file <FILE>', 'Read in a file of environment variables (repeatable)', collect)
    .option('-w, --workdir <DIR>', 'Working directory inside the container')
    .option('--entrypoint <CMD>', 'Overwrite the default ENTRYPOINT of the image ("" clears it)')
    .option('-i, --interactive', 'Keep STDIN open even if not attached')
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .option('-h, --hostname <NAME>', 'Container host name')
    .option('--domainname <NAME>', 'Container NIS domain name')
    .option('-u, --user <USER>', 'Username or UID (format: <name|uid>[:<group|gid>])')
    .option('-l, --label <KEY=VALUE>', 'Set meta data on a container (repeatable)', collect)
    .option('--annotation <KEY=VALUE>', 'Add an annotation to the container, passed to the OCI runtime (repeatable)', collect)
    .option('--restart <POLICY>', 'Restart policy: no, on-failure[:max-retries], always, unless-stopped')
    .option('--stop-signal <SIGNAL>', 'Signal to stop the container')
    .option('--stop-timeout <SECONDS>', 'Timeout (in seconds) to stop a container', seconds)
    .option('--log-driver <DRIVER>', 'Logging driver for the container (local, json-file, none)')
    .option('--log-opt <KEY=VALUE>', 'Log driver options (repeatable)', collect)
    .option('-v, --volume <[SOURCE:]TARGET[:ro]>', 'Bind mount a host path or mount a volume (repeatable)', collect)
    .option('--mount <type=…,source=…,target=…>', 'Attach a bind, volume or tmpfs mount (repeatable)', collect)
    .option('--network <NETWORK>', 'Connect a container to a network: none, host, bridge, NAME or container:NAME')
    .option('--network-alias <ALIAS>', 'Add a network-scoped alias for the container (repeatable)', collect)
    .option('--ip <ADDRESS>', 'IPv4 address on a user network with a user-configured subnet')
    .option('--add-host <HOST:IP>', 'Add a custom host-to-IP mapping (repeatable)', collect)
    .option('--dns <IP>', 'Set custom DNS servers (repeatable)', collect)
    .option('--dns-search <DOMAIN>', 'Set custom DNS search domains (repeatable)', collect)
    .option('--dns-option <OPTION>', 'Set DNS options, e.g. ndots:2 (repeatable)', collect)
    .option('-p, --publish <[IP:]HOST:CONTAINER[/PROTO]>', "Publish a container's port(s) to the host (repeatable)", collect)
    .option('-P, --publish-all', 'Publish all exposed ports to random ports')
    .option('--expose <PORT[-END][/PROTO]>', 'Expose a port or a range of ports (repeatable)', collect)
    .option('--health-cmd <COMMAND>', 'Command to run to check health')
    .option('--health-interval <DURATION>', 'Time between running the check (ms|s|m|h) (default 0s)')
    .option('--health-timeout <DURATION>', 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)')
    .option('--health-retries <N>', 'Consecutive failures needed to report unhealthy')
    .option('--health-start-period <DURATION>', 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)')
    .option('--health-start-interval <DURATION>', 'Time between running the check during the start period (ms|s|m|h) (default 0s)')
    .option('--no-healthcheck', 'Disable any container-specified HEALTHCHECK');
}

export const defineCreate: Define = (parent, name, dispatch) =>
  runFamilyUsageErrors(withContainerFlags(verb(parent, name, 'create', dispatch, 'Create a new container')
    .argument('<IMAGE>', 'image to create the container from')
    .argument('[COMMAND...]', 'command and arguments; flags after IMAGE belong to the command')
    .passThroughOptions()));

export const defineStart: Define = (parent, name, dispatch) =>
  runFamilyUsageErrors(verb(parent, name, 'start', dispatch, 'Start one or more stopped containers')
    .argument('<CONTAINER...>', 'container names or ids')
    .option('-a, --attach', "Attach STDOUT/STDERR and forward signals")
    .option('-i, --interactive', "Attach container's STDIN")
    .option('--detach-keys <KEYS>', 'Override the key sequence for detaching a container'));

export const defineRestart: Define = (parent, name, dispatch) =>
  verb(parent, name, 'restart', dispatch, 'Restart one or more containers')
    .argument('<CONTAINER...>', 'container names or ids')
    .option('-t, --time <SECONDS>', 'Seconds to wait before killing the container', seconds);

export const defineKill: Define = (parent, name, dispatch) =>
  verb(parent, name, 'kill', dispatch, 'Kill one or more running containers')
    .argument('<CONTAINER...>', 'container names or ids')
    .option('-s, --signal <SIGNAL>', 'Signal to send to the container (default KILL)');

export const defineWait: Define = (parent, name, dispatch) =>
  verb(parent, name, 'wait', dispatch, 'Block until one or more containers stop, then print their exit codes')
    .argument('<CONTAINER...>', 'container names or ids');

export const definePause: Define = (parent, name, dispatch) =>
  verb(parent, name, 'pause', dispatch, 'Pause all processes within one or more containers')
    .argument('<CONTAINER...>', 'container names or ids');

export const defineUnpause: Define = (parent, name, dispatch) =>
  verb(parent, name, 'unpause', dispatch, 'Unpause all processes within one or more containers')
    .argument('<CONTAINER...>', 'container names or ids');

export const defineRename: Define = (parent, name, dispatch) =>
  verb(parent, name, 'rename', dispatch, 'Rename a container')
    .argument('<CONTAINER>', 'container name or id')
    .argument('<NEW_NAME>', 'the new name');

export const defineAttach: Define = (parent, name, dispatch) =>
  verb(parent, name, 'attach', dispatch, "Attach local standard input, output, and error streams to a running container")
    .argument('<CONTAINER>', 'container name or id')
    .option('--no-stdin', 'Do not attach STDIN')
    .option('--detach-keys <KEYS>', 'Override the key sequence for detaching a container');

export const defineExec: Define = (parent, name, dispatch) =>
  verb(parent, name, 'exec', dispatch, 'Execute a command in a running container')
    .argument('<CONTAINER>', 'container name or id')
    .argument('<COMMAND...>', 'command and arguments; flags after CONTAINER belong to the command')
    .passThroughOptions()
    .option('-d, --detach', 'Detached mode: run command in the background')
    .option('-i, --interactive', 'Keep STDIN open even if not attached')
    .option('-t, --tty', 'Allocate a pseudo-TTY')
    .option('-e, --env <VAR[=VALUE]>', 'Set environment variables (repeatable)', collect)
    .option('-w, --workdir <DIR>', 'Working directory inside the container')
    .option('-u, --user <USER>', 'Username or UID (format: <name|uid>[:<group|gid>])')
    .option('--detach-keys <KEYS>', 'Override the key sequence for detaching a container');

export const defineTop: Define = (parent, name, dispatch) =>
  verb(parent, name, 'top', dispatch, 'Display the running processes of a container')
    .argument('<CONTAINER>', 'container name or id');

export const defineStats: Define = (parent, name, dispatch) =>
  verb(parent, name, 'stats', dispatch, 'Display a live stream of container(s) resource usage statistics')
    .argument('[CONTAINER...]', 'container names or ids (default: all running)')
    .option('-a, --all', 'Show all containers (default shows just running)')
    .option('--no-stream', 'Disable streaming stats and only pull the first result')
    .option('--no-trunc', "Don't truncate output")
    .option('--format <FORMAT>', "Format output using a Go template ('table', 'table TEMPLATE', 'json', 'TEMPLATE')");

export const defineObjectInspect: Define = (parent, name, dispatch) =>
  verb(parent, name, 'object-inspect', dispatch, 'Return low-level information on Berth objects (containers, then images)')
    .argument('<NAME...>', 'container or image names or ids')
    .option('-f, --format <FORMAT>', "Format output using a Go template ('json' for one line per object)")
    .option('--type <TYPE>', 'Only inspect objects of the given type (container or image)');

export const defineContainerInspect: Define = (parent, name, dispatch) =>
  verb(parent, name, 'container-inspect', dispatch, 'Display detailed information on one or more containers')
    .argument('<CONTAINER...>', 'container names or ids')
    .option('-f, --format <FORMAT>', "Format output using a Go template ('json' for one line per container)");

export const defineContainerPrune: Define = (parent, name, dispatch) =>
  verb(parent, name, 'container-prune', dispatch, 'Remove all stopped containers')
    .option('-f, --force', 'Do not prompt for confirmation')
    .option('--filter <KEY=VALUE>', 'Provide filter values (e.g. "until=<timestamp>", "label=<key>=<value>")', collect);

export const defineEvents: Define = (parent, name, dispatch) =>
  verb(parent, name, 'events', dispatch, 'Get real time events from the daemon')
    .option('--since <TIME>', 'Show all events created since timestamp (RFC 3339, Unix seconds, or a duration like 10m)')
    .option('--until <TIME>', 'Stream events until this timestamp')
    .option('-f, --filter <KEY=VALUE>', 'Filter output based on conditions provided (repeatable)', collect)
    .option('--format <FORMAT>', "Format output using a Go template ('json' for one JSON object per line)");

/** `berth debug …`: looking inside the engine (issue 8). */
export function defineDebug(program: Command, dispatch: Dispatch): void {
  const debug = group(program, 'debug', 'Look inside the engine: export and replay its journal');
  verb(debug, 'journal', 'debug-journal', dispatch, 'Export the journal (or one actor\'s or a time range\'s slice) as an event log')
    .option('--actor <REF>', 'Only this actor: a container name or id, or an actor id such as pull/… or layer/…')
    .option('--since <TIME>', 'Only entries since this time (RFC 3339, Unix seconds, or a duration like 10m)')
    .option('--until <TIME>', 'Only entries until this time')
    .option('--format <FORMAT>', 'json (default) or msgpack')
    .option('-o, --output <FILE>', 'Write to FILE (atomically) instead of standard output');
  verb(debug, 'replay', 'debug-replay', dispatch, 'Replay an event log through the state machines and check every step')
    .argument('<FILE>', 'event log from `berth debug journal`, or - for standard input');
  verb(debug, 'fault', 'debug-fault', dispatch, 'Crash an actor host or the worker pool on purpose (daemon started with --enable-fault-injection)')
    .argument('<TARGET>', 'actor-host or pool')
    .argument('[INDEX]', 'which actor host (default 0)');
}
