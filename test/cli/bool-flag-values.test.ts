// Docker's `--flag=true|false` form of boolean flags, through the real
// grammar: the rewrite (cli/bool-flag-values.ts) and then commander's parse,
// as cli/start.ts does them.
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/program.js';
import { withBoolFlagValues } from '../../cli/bool-flag-values.js';
import type { Invocation } from '../../cli/invocation.js';
import { UsageExit } from '../../cli/usage-errors.js';
import { captureStderr } from './stderr-capture.js';

const stderr = captureStderr();

async function parse(...argv: string[]): Promise<Invocation> {
  const seen: Invocation[] = [];
  const program = buildProgram(async (inv) => { seen.push(inv); }, '9.9.9');
  await program.parseAsync(withBoolFlagValues(program, argv), { from: 'user' });
  expect(seen).toHaveLength(1);
  return seen[0]!;
}

function rewritten(...argv: string[]): string[] {
  return withBoolFlagValues(buildProgram(async () => {}, '9.9.9'), argv);
}

describe('boolean flags with a value', () => {
  it('take Go-style true and false values after "="', async () => {
    expect((await parse('run', '--rm=true', '-d=1', 'busybox')).opts).toMatchObject({ rm: true, detach: true });
    const off = await parse('run', '--rm=false', '-d=False', '--privileged=0', '--init=f', 'busybox', 'true');
    expect(off.opts.rm).toBeUndefined();
    expect(off.opts.detach).toBeUndefined();
    expect(off.opts.privileged).toBeUndefined();
    expect(off.args).toEqual(['busybox', 'true']);
    expect((await parse('ps', '--all=TRUE', '--no-trunc=true')).opts).toMatchObject({ all: true, trunc: false });
    expect((await parse('container', 'ls', '-a=true')).opts).toMatchObject({ all: true });
  });

  it('turn a flag that is on by default off through its negation', async () => {
    expect((await parse('run', '--sig-proxy=false', 'busybox')).opts.sigProxy).toBe(false);
    expect((await parse('run', '--sig-proxy=true', 'busybox')).opts.sigProxy).toBe(true);
    expect((await parse('run', 'busybox')).opts.sigProxy).toBeUndefined();
    expect((await parse('commit', '--pause=false', 'c1', 'img')).opts.pause).toBe(false);
  });

  it('never take the next word as their value', async () => {
    const inv = await parse('run', '--sig-proxy', 'busybox', 'true');
    expect(inv.opts.sigProxy).toBe(true);
    expect(inv.args).toEqual(['busybox', 'true']);
    const commit = await parse('commit', '-p', 'c1', 'img');
    expect(commit.opts.pause).toBe(true);
    expect(commit.args).toEqual(['c1', 'img']);
  });

  it('leave the container command, option values and words after -- alone', () => {
    expect(rewritten('run', '--rm=false', 'busybox', 'ls', '--all=false', '-d=true')).toEqual(['run', 'busybox', 'ls', '--all=false', '-d=true']);
    expect(rewritten('run', '-e', '--rm=false', '--name', '-d=true', 'busybox')).toEqual(['run', '-e', '--rm=false', '--name', '-d=true', 'busybox']);
    expect(rewritten('-H', 'unix:///x.sock', 'rm', '--force=true', 'a', '--volumes=false', 'b')).toEqual(['-H', 'unix:///x.sock', 'rm', '--force', 'a', 'b']);
    expect(rewritten('rm', '--', '--force=true')).toEqual(['rm', '--', '--force=true']);
    expect(rewritten('exec', '-i=true', 'c1', 'sh', '-i=false')).toEqual(['exec', '-i', 'c1', 'sh', '-i=false']);
  });

  it('refuse any other value as a usage error of the command', async () => {
    const program = buildProgram(async () => {}, '9.9.9');
    const err = (() => { try { withBoolFlagValues(program, ['run', '--rm=maybe', 'busybox']); } catch (e) { return e; } })();
    expect(err).toBeInstanceOf(UsageExit);
    expect((err as UsageExit).exitCode).toBe(125);
    expect(stderr.join("")).toContain(`berth: invalid argument "maybe" for "--rm" flag: expected true or false\nSee 'berth run --help'.`);
  });
});
