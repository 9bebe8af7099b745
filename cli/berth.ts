// Entry point of the `berth` CLI. Registers the grammar, parses, and lets the
// chosen command's module (a lazily imported chunk) do the work.
import { buildProgram, commandWord } from './program.js';
import { runCommand } from './dispatch.js';
import { UsageExit } from './usage-errors.js';
import { EXIT_FAILURE, EXIT_OK } from './exit-codes.js';
import { mark, reportTiming } from './timing.js';
import { CLIENT_VERSION } from './version.js';
import { codeCacheState } from './code-cache-state.js';

mark(`entry evaluated (code cache ${codeCacheState() ?? 'not used'})`);

async function main(argv: string[]): Promise<number> {
  let exitCode = EXIT_OK;
  const program = buildProgram(async (inv) => {
    exitCode = await runCommand(inv);
  }, CLIENT_VERSION, commandWord(argv.slice(2)));
  if (argv.length <= 2) {
    program.outputHelp();
    return EXIT_OK;
  }
  try {
    await program.parseAsync(argv);
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

process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? EXIT_OK : EXIT_FAILURE));
process.stderr.on('error', () => process.exit(EXIT_FAILURE));

void main(process.argv).then(exitAfterFlush, (err: unknown) => {
  process.stderr.write(`berth: ${err instanceof Error ? err.message : String(err)}\n`);
  return exitAfterFlush(EXIT_FAILURE);
});
