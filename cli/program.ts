// The whole `berth` program: the root command and every top-level command,
// in the order `berth --help` lists them. A top-level command is registered
// by one entry of TOP_LEVEL, so the CLI can build only the one a command line
// names (see commandWord) instead of the whole grammar on every start.
import type { Command } from 'commander';
import type { Dispatch } from './invocation.js';
import { rootProgram } from './root-program.js';
import { commandWordOf } from './command-word.js';
import * as g from './grammar.js';
import { defineUpdate } from './resource-grammar.js';
import { defineCommit, defineCp, defineDiff, defineSystemCommands } from './grammar-fs.js';
import { defineVolumeCommands } from './volume-grammar.js';
import { defineNetworkCommands, definePort } from './network-grammar.js';

type Register = (program: Command, dispatch: Dispatch) => void;

type Entry = readonly [string, Register];

/** A top-level command defined by one Define under its own name. */
const single = (name: string, define: g.Define): Entry => [name, (program, dispatch) => void define(program, name, dispatch)];

function defineImageGroup(program: Command, dispatch: Dispatch): void {
  const image = g.group(program, 'image', 'Manage images');
  g.defineImages(image, 'ls', dispatch).alias('list');
  g.definePull(image, 'pull', dispatch);
  g.definePush(image, 'push', dispatch);
  g.defineLoad(image, 'load', dispatch);
  g.defineRmi(image, 'rm', dispatch).alias('remove');
  g.defineTag(image, 'tag', dispatch);
  g.defineImagePrune(image, 'prune', dispatch);
  g.defineInspect(image, 'inspect', dispatch);
  g.defineHistory(image, 'history', dispatch);
  g.defineSave(image, 'save', dispatch);
  g.defineImport(image, 'import', dispatch);
}

function defineContainerGroup(program: Command, dispatch: Dispatch): void {
  const container = g.group(program, 'container', 'Manage containers');
  g.definePs(container, 'ls', dispatch).aliases(['ps', 'list']);
  const defines: Array<[string, g.Define]> = [
    ['run', g.defineRun], ['logs', g.defineLogs], ['stop', g.defineStop], ['rm', g.defineRm], ['export', g.defineExport],
    ['create', g.defineCreate], ['start', g.defineStart], ['restart', g.defineRestart], ['kill', g.defineKill],
    ['wait', g.defineWait], ['pause', g.definePause], ['unpause', g.defineUnpause], ['rename', g.defineRename],
    ['update', defineUpdate], ['attach', g.defineAttach], ['exec', g.defineExec], ['top', g.defineTop],
    ['stats', g.defineStats], ['inspect', g.defineContainerInspect], ['prune', g.defineContainerPrune],
  ];
  for (const [name, define] of defines) define(container, name, dispatch);
  definePort(container, dispatch);
  defineCp(container, 'cp', dispatch);
  defineDiff(container, 'diff', dispatch);
  defineCommit(container, 'commit', dispatch);
}

/** Every top-level command word, in help order, with what registers it. */
const TOP_LEVEL: readonly Entry[] = [
  single('pull', g.definePull), single('push', g.definePush), single('login', g.defineLogin),
  single('logout', g.defineLogout), single('images', g.defineImages), single('load', g.defineLoad),
  single('run', g.defineRun), single('ps', g.definePs), single('logs', g.defineLogs),
  single('stop', g.defineStop), single('rm', g.defineRm), single('version', g.defineVersion),
  single('info', g.defineInfo), single('ui', g.defineUi), single('rmi', g.defineRmi),
  single('tag', g.defineTag),
  single('inspect', g.defineObjectInspect), // containers, then images (issue 5)
  single('history', g.defineHistory), single('save', g.defineSave), single('import', g.defineImport),
  single('export', g.defineExport),
  // container lifecycle (issue 5)
  single('create', g.defineCreate), single('start', g.defineStart), single('restart', g.defineRestart),
  single('kill', g.defineKill), single('wait', g.defineWait), single('pause', g.definePause),
  single('unpause', g.defineUnpause), single('rename', g.defineRename), single('update', defineUpdate),
  single('attach', g.defineAttach), single('exec', g.defineExec), single('top', g.defineTop),
  single('stats', g.defineStats), single('events', g.defineEvents),
  ['image', defineImageGroup], ['container', defineContainerGroup], ['volume', defineVolumeCommands],
  ['port', definePort], ['network', defineNetworkCommands], ['system', defineSystemCommands],
  single('cp', defineCp), single('diff', defineDiff), single('commit', defineCommit),
  ['debug', g.defineDebug],
];
const REGISTER = new Map(TOP_LEVEL);

/**
 * The top-level command word of a command line (argv without node and the
 * script), or undefined when the line needs the whole grammar: no command,
 * a root option other than -H/-D (--help, --version, an unknown one), or a
 * word that is not a command (commander then suggests the nearest one).
 */
export function commandWord(args: readonly string[]): string | undefined {
  return commandWordOf(args, (word) => REGISTER.has(word));
}

/**
 * The berth program. With `only`, just that top-level command is registered:
 * parsing a line whose command word is `only` gives the same result, help and
 * errors as with the whole grammar, at a fraction of the start-up cost.
 */
export function buildProgram(dispatch: Dispatch, version: string, only?: string): Command {
  const program = rootProgram(version);
  const chosen = only === undefined ? undefined : REGISTER.get(only);
  if (chosen) chosen(program, dispatch);
  else for (const [, register] of TOP_LEVEL) register(program, dispatch);
  return program;
}
