// Entry point of the whole `berth` CLI: every command's grammar, of which it
// registers only the one a command line names (cli/program.ts); the chosen
// command's module is initialised only when it runs (cli/dispatch.ts).
import { buildProgram, commandWord } from './program.js';
import { runCommand } from './dispatch.js';
import { CLIENT_VERSION } from './version.js';
import { startCli } from './start.js';

startCli((dispatch, args) => buildProgram(dispatch, CLIENT_VERSION, commandWord(args)), runCommand);
