// Runs the `berth` command line with a given grammar: parse, let the chosen
// command do its work, flush stdout/stderr, exit with its code. The whole CLI
// (cli/berth.ts) and each per-command bundle (scripts/bundle-cli.mjs) start here.
import type { Command } from 'commander';
import type { Dispatch, Invocation } from './invocation.js';
import { UsageExit } from './usage-errors.js';
import { EXIT_FAILURE, EXIT_OK } from './exit-codes.js';
import { mark, reportTiming } from './timing.js';
import { codeCacheState } from './code-cache-state.js';
import { withBoolFlagValues } from './bool-flag-values.js';

/** The grammar for a command line (argv without node and the script). */
export type BuildProgram = (dispatch: Dispatch, args: string[]) => Command;

async function main(argv: string[], build: BuildProgram, run: (inv: Invocation) => Promise<number>): Promise<number> {
  let exitCode = EXIT_OK;
  const program = build(async (inv) => {
    exitCode = await run(inv);
  }, argv.slice(2));
  if (argv.length <= 2) {
    program.outputHelp();
    return EXIT_OK;
  }
  try {
    await program.parseAsync([argv[0]!, argv[1]!, ...withBoolFlagValues(program, argv.slice(2))]);
  } catch (err) {
    if (err instanceof UsageExit) return err.exitCode;
    process.stderr.write(`berth: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_FAILURE;
  }
  return exitCode;
}

/** Exit only once everything written to stdout/stderr has been handed to the OS. */
async function exitAfterFlush(code: number): Promise<never> {
  mark('done');
  reportTiming();
  await Promise.all([process.stdout, process.stderr].map((s) => new Promise<void>((resolve) => s.write('', () => resolve()))));
  process.exit(code);
}

export function startCli(build: BuildProgram, run: (inv: Invocation) => Promise<number>): void {
  mark(`entry evaluated (code cache ${codeCacheState() ?? 'not used'})`);
  process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? EXIT_OK : EXIT_FAILURE));
  process.stderr.on('error', () => process.exit(EXIT_FAILURE));
  void main(process.argv, build, run).then(exitAfterFlush, (err: unknown) => {
    process.stderr.write(`berth: ${err instanceof Error ? err.message : String(err)}\n`);
    return exitAfterFlush(EXIT_FAILURE);
  });
}
