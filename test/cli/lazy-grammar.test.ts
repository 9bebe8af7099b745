// The CLI builds only the top-level command a line names (cli/program.ts):
// that partial program must parse, explain (--help) and reject exactly as
// the whole grammar does.
import { describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import { buildProgram, commandWord } from '../../cli/program.js';
import type { Invocation } from '../../cli/invocation.js';
import { UsageExit } from '../../cli/usage-errors.js';
import { captureStderr } from './stderr-capture.js';

const stderr = captureStderr();

const noop = async (): Promise<void> => {};

/** Every command under `cmd`, by its path, with its help text. */
function helpTree(cmd: Command, path = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const sub of cmd.commands) {
    const at = `${path} ${sub.name()}`.trim();
    out.set(at, sub.helpInformation());
    for (const [k, v] of helpTree(sub, at)) out.set(k, v);
  }
  return out;
}

/** What parsing `args` ends in: the dispatched invocation, or the usage error and what it printed. */
async function outcome(only: string | undefined, args: string[]): Promise<unknown> {
  stderr.length = 0;
  const seen: Invocation[] = [];
  const program = buildProgram(async (inv) => { seen.push(inv); }, '9.9.9', only);
  const err = await program.parseAsync(args, { from: 'user' }).then(() => undefined, (e: unknown) => e);
  if (err instanceof UsageExit) return { exitCode: err.exitCode, reason: err.reason, printed: stderr.join('') };
  if (err) throw err;
  return seen;
}

describe('commandWord: which top-level command a line names', () => {
  it('finds the word after the root options -H/--host and -D', () => {
    expect(commandWord(['run', '-d', 'busybox'])).toBe('run');
    expect(commandWord(['-H', 'unix:///x.sock', 'ps', '-a'])).toBe('ps');
    expect(commandWord(['--host', 'unix:///x.sock', '-D', 'rm', '-f', 'a'])).toBe('rm');
    expect(commandWord(['--host=unix:///x.sock', '--debug', 'container', 'ls'])).toBe('container');
    expect(commandWord(['debug', 'journal'])).toBe('debug');
  });

  it('asks for the whole grammar when the line has no known command word', () => {
    expect(commandWord([])).toBeUndefined();
    expect(commandWord(['-H', 'unix:///x.sock'])).toBeUndefined();
    expect(commandWord(['--help'])).toBeUndefined();
    expect(commandWord(['-v'])).toBeUndefined();
    expect(commandWord(['--bogus', 'run'])).toBeUndefined();
    expect(commandWord(['contaner', 'ls'])).toBeUndefined();
    expect(commandWord(['-DH', 'unix:///x.sock', 'run'])).toBeUndefined();
  });
});

describe('a program built for one command', () => {
  const full = buildProgram(noop, '9.9.9');
  const fullHelp = helpTree(full);
  const words = full.commands.map((c) => c.name());

  it('knows every top-level command of the whole grammar', () => {
    expect(words.length).toBeGreaterThan(40);
    for (const word of words) expect(commandWord([word])).toBe(word);
  });

  it.each(words)('%s: registers only that command, with the same help text as the whole grammar', (word) => {
    const lazy = buildProgram(noop, '9.9.9', word);
    expect(lazy.commands.map((c) => c.name())).toEqual([word]);
    const lazyHelp = helpTree(lazy);
    expect(lazyHelp.size).toBeGreaterThan(0);
    for (const [path, text] of lazyHelp) expect(text, path).toBe(fullHelp.get(path));
    const subs = [...fullHelp.keys()].filter((p) => p === word || p.startsWith(`${word} `));
    expect([...lazyHelp.keys()].sort()).toEqual(subs.sort());
  });

  it.each([
    ['run', '-d', '--network', 'none', '--name', 'web', 'busybox', 'sleep', '60'],
    ['container', 'run', '--rm', '-e', 'A=1', '-e', 'B=2', 'busybox', 'sh', '-c', 'echo hi'],
    ['rm', '-f', 'a', 'b'],
    ['ps', '-a', '--filter', 'status=exited', '--format', 'json'],
    ['image', 'ls', '-q'],
    ['network', 'create', '--subnet', '10.9.0.0/24', 'n1'],
    ['system', 'df'],
    ['debug', 'journal', '--actor', 'x'],
    // usage errors: same exit code and message
    ['run'],
    ['run', '--bogus', 'busybox'],
    ['stop', '-t', 'soon', 'a'],
    ['container', 'bogus'],
    ['volume', 'rm'],
  ])('parses %j exactly as the whole grammar does', async (...args) => {
    const word = commandWord(args);
    expect(word).toBe(args[0]);
    expect(await outcome(word, args)).toEqual(await outcome(undefined, args));
  });
});
