// The real command grammar, parsed with a dispatcher that records what the
// command module would receive (no daemon needed).
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/program.js';
import type { Invocation } from '../../cli/invocation.js';
import { UsageExit } from '../../cli/usage-errors.js';
import { captureStderr } from './stderr-capture.js';
import { toRunParams } from '../../cli/commands/container/run-options.js';

const stderr = captureStderr();

async function parse(...argv: string[]): Promise<Invocation> {
  const seen: Invocation[] = [];
  const program = buildProgram(async (inv) => { seen.push(inv); }, '9.9.9');
  await program.parseAsync(argv, { from: 'user' });
  expect(seen).toHaveLength(1);
  return seen[0];
}

async function usageError(...argv: string[]): Promise<UsageExit> {
  const program = buildProgram(async () => {}, '9.9.9');
  const err = await program.parseAsync(argv, { from: 'user' }).then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(UsageExit);
  return err as UsageExit;
}

describe('run: options before IMAGE, command after it', () => {
  it('keeps flags after IMAGE for the container command (sh -c)', async () => {
    const inv = await parse('run', 'busybox', 'sh', '-c', 'echo hi');
    expect(inv.command).toBe('run');
    expect(inv.args).toEqual(['busybox', 'sh', '-c', 'echo hi']);
    // `--no-healthcheck` gives commander its default healthcheck: true; nothing else is set
    expect(inv.opts).toEqual({ healthcheck: true });
  });

  it('keeps ls -l as the command', async () => {
    const inv = await parse('run', 'busybox', 'ls', '-l');
    expect(inv.args).toEqual(['busybox', 'ls', '-l']);
  });

  it('a run flag written after IMAGE belongs to the command, like Docker', async () => {
    const inv = await parse('run', 'busybox', '--rm', 'echo');
    expect(inv.args).toEqual(['busybox', '--rm', 'echo']);
    expect(inv.opts.rm).toBeUndefined();
  });

  it('parses --rm -d --name -w --entrypoint before IMAGE', async () => {
    const inv = await parse('run', '--rm', '-d', '--name', 'web', '-w', '/srv', '--entrypoint', '/bin/sh', 'busybox', '-c', 'true');
    expect(inv.opts).toMatchObject({ rm: true, detach: true, name: 'web', workdir: '/srv', entrypoint: '/bin/sh' });
    expect(inv.args).toEqual(['busybox', '-c', 'true']);
    expect(toRunParams(inv.args, inv.opts, {})).toEqual({
      image: 'busybox', cmd: ['-c', 'true'], entrypoint: ['/bin/sh'], workdir: '/srv', name: 'web', autoRemove: true, detach: true,
    });
  });

  it('accepts --rm and -d in either order and combined short flags', async () => {
    const a = await parse('run', '-d', '--rm', 'busybox');
    const b = await parse('container', 'run', '--rm', '--detach', 'busybox');
    expect(toRunParams(a.args, a.opts, {})).toEqual({ image: 'busybox', autoRemove: true, detach: true });
    expect(toRunParams(b.args, b.opts, {})).toEqual({ image: 'busybox', autoRemove: true, detach: true });
  });

  it('collects repeated -e in every spelling', async () => {
    const inv = await parse('run', '-e', 'A=1', '--env', 'B=two words', '-eC=3', '--env=D=4=4', 'busybox', 'env');
    expect(inv.opts.env).toEqual(['A=1', 'B=two words', 'C=3', 'D=4=4']);
    expect(toRunParams(inv.args, inv.opts, {}).env).toEqual(['A=1', 'B=two words', 'C=3', 'D=4=4']);
  });

  it('-e VAR copies VAR from the CLI environment and drops it when unset', async () => {
    const inv = await parse('run', '-e', 'HOME_DIR', '-e', 'MISSING', '-e', 'EMPTY', 'busybox');
    const params = toRunParams(inv.args, inv.opts, { HOME_DIR: '/home/me', EMPTY: '' });
    expect(params.env).toEqual(['HOME_DIR=/home/me', 'EMPTY=']);
  });

  it('rejects malformed -e, relative -w and empty --name with a clear message', () => {
    expect(() => toRunParams(['busybox'], { env: ['=x'] }, {})).toThrow(/invalid environment variable "=x"/);
    expect(() => toRunParams(['busybox'], { env: ['A B=1'] }, {})).toThrow(/contains whitespace/);
    expect(() => toRunParams(['busybox'], { workdir: 'srv' }, {})).toThrow(/needs to be an absolute path/);
    expect(() => toRunParams(['busybox'], { name: '' }, {})).toThrow(/--name must not be empty/);
  });

  it('--entrypoint "" clears the entrypoint', async () => {
    const inv = await parse('run', '--entrypoint', '', 'busybox', 'ls');
    expect(toRunParams(inv.args, inv.opts, {})).toEqual({ image: 'busybox', cmd: ['ls'], entrypoint: [] });
  });

  it('missing IMAGE is a usage error with exit 125 and the help hint', async () => {
    const err = await usageError('run');
    expect(err.exitCode).toBe(125);
    expect(stderr.join('')).toBe("berth: missing required argument 'IMAGE'\nSee 'berth run --help'.\n");
  });

  it('unknown flag before IMAGE exits 125 for run, 1 for ps', async () => {
    expect((await usageError('run', '--bogus', 'busybox')).exitCode).toBe(125);
    expect((await usageError('container', 'run', '-X', 'busybox')).exitCode).toBe(125);
    expect((await usageError('ps', '--bogus')).exitCode).toBe(1);
    expect(stderr.join('')).toContain("See 'berth ps --help'.");
  });
});

describe('other commands and global flags', () => {
  it('global -H and -D come before the command; -H is also accepted after it', async () => {
    const a = await parse('-H', 'unix:///tmp/a.sock', '-D', 'ps', '-a');
    expect(a).toMatchObject({ command: 'ps', host: 'unix:///tmp/a.sock', debug: true, opts: { all: true } });
    const b = await parse('ps', '-H', 'unix:///tmp/b.sock', '-q');
    expect(b).toMatchObject({ command: 'ps', host: 'unix:///tmp/b.sock', debug: false, opts: { quiet: true } });
  });

  it('image ls, image list and images are the same command', async () => {
    for (const argv of [['images', '-q'], ['image', 'ls', '-q'], ['image', 'list', '-q']]) {
      expect(await parse(...argv)).toMatchObject({ command: 'images', opts: { quiet: true } });
    }
  });

  it('stop -t takes whole seconds and several containers', async () => {
    expect(await parse('stop', '-t', '3', 'a', 'b')).toMatchObject({ command: 'stop', args: ['a', 'b'], opts: { time: 3 } });
    const err = await usageError('stop', '-t', 'soon', 'a');
    expect(err.exitCode).toBe(1);
    expect(stderr.join('')).toContain('"soon" is not a whole number of seconds');
  });

  it('rm -f with several containers; load -i FILE; pull IMAGE', async () => {
    expect(await parse('rm', '-f', 'a', 'b', 'c')).toMatchObject({ command: 'rm', args: ['a', 'b', 'c'], opts: { force: true } });
    expect(await parse('load', '-i', 'x.tar')).toMatchObject({ command: 'load', opts: { input: 'x.tar' } });
    expect(await parse('pull', 'busybox:1.36')).toMatchObject({ command: 'pull', args: ['busybox:1.36'] });
  });

  it('unknown command is a usage error pointing at berth --help', async () => {
    const err = await usageError('frobnicate');
    expect(err.exitCode).toBe(1);
    expect(stderr.join('')).toBe("berth: unknown command 'frobnicate'\nSee 'berth --help'.\n");
  });
});
