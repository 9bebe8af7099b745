// The container-lifecycle grammar (issue 5), parsed with a dispatcher that
// records what each command module would receive.
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/program.js';
import type { Invocation } from '../../cli/invocation.js';
import { UsageExit } from '../../cli/usage-errors.js';
import { captureStderr } from './stderr-capture.js';

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

/** Parses `argv` both as `berth VERB …` and `berth container VERB …` and checks both give the same invocation. */
async function both(verb: string, ...rest: string[]): Promise<Invocation> {
  const top = await parse(verb, ...rest);
  const grouped = await parse('container', verb, ...rest);
  expect(grouped).toEqual(top);
  return top;
}

describe('run and create: container-config flags', () => {
  const ALL = [
    '-i', '-t', '-h', 'box', '-u', '1000:1000', '-l', 'a=1', '--label', 'b', '--env-file', 'one.env', '--env-file', 'two.env',
    '--restart', 'on-failure:3', '--stop-signal', 'SIGUSR1', '--stop-timeout', '7', '--log-driver', 'json-file',
    '--log-opt', 'max-size=1m', '--log-opt', 'max-file=2', '--name', 'web', '--rm', '-e', 'X=1', '-w', '/srv', '--entrypoint', '/bin/sh',
  ];
  const EXPECTED = {
    interactive: true, tty: true, hostname: 'box', user: '1000:1000', label: ['a=1', 'b'], envFile: ['one.env', 'two.env'],
    restart: 'on-failure:3', stopSignal: 'SIGUSR1', stopTimeout: 7, logDriver: 'json-file', logOpt: ['max-size=1m', 'max-file=2'],
    name: 'web', rm: true, env: ['X=1'], workdir: '/srv', entrypoint: '/bin/sh',
  };

  it('run takes every flag, plus -d and --detach-keys', async () => {
    const inv = await both('run', ...ALL, '-d', '--detach-keys', 'ctrl-a,x', 'busybox', 'sh', '-c', 'true');
    expect(inv).toMatchObject({ command: 'run', args: ['busybox', 'sh', '-c', 'true'], opts: { ...EXPECTED, detach: true, detachKeys: 'ctrl-a,x' } });
  });

  it('create takes the same container-config flags and prints nothing extra', async () => {
    const inv = await both('create', ...ALL, 'busybox', 'ls', '-l');
    expect(inv).toMatchObject({ command: 'create', args: ['busybox', 'ls', '-l'], opts: EXPECTED });
    expect(inv.opts.detach).toBeUndefined();
  });

  it('-it, -ti and -itd combine short flags; -h is --hostname, --help is still help', async () => {
    expect((await parse('run', '-it', 'busybox')).opts).toMatchObject({ interactive: true, tty: true });
    expect((await parse('run', '-ti', 'busybox')).opts).toMatchObject({ interactive: true, tty: true });
    expect((await parse('run', '-itd', 'busybox')).opts).toMatchObject({ interactive: true, tty: true, detach: true });
    expect((await parse('run', '-h', 'myhost', 'busybox')).opts).toMatchObject({ hostname: 'myhost' });
  });

  it('usage errors of run and create exit 125; --stop-timeout must be a number', async () => {
    expect((await usageError('create', '--bogus', 'busybox')).exitCode).toBe(125);
    expect((await usageError('container', 'create')).exitCode).toBe(125);
    expect((await usageError('run', '--stop-timeout', 'soon', 'busybox')).exitCode).toBe(125);
    expect(stderr.join('')).toContain('"soon" is not a whole number of seconds');
  });
});

describe('lifecycle verbs', () => {
  it('start [-a] [-i] [--detach-keys] CONTAINER...', async () => {
    expect(await both('start', 'a', 'b')).toMatchObject({ command: 'start', args: ['a', 'b'], opts: {} });
    expect(await both('start', '-ai', '--detach-keys', 'ctrl-x', 'a')).toMatchObject({ args: ['a'], opts: { attach: true, interactive: true, detachKeys: 'ctrl-x' } });
    expect((await usageError('start')).exitCode).toBe(125);
  });

  it('restart -t, kill -s, wait, pause, unpause take several containers', async () => {
    expect(await both('restart', '-t', '4', 'a', 'b')).toMatchObject({ command: 'restart', args: ['a', 'b'], opts: { time: 4 } });
    expect(await both('kill', '-s', 'HUP', 'a')).toMatchObject({ command: 'kill', args: ['a'], opts: { signal: 'HUP' } });
    expect(await both('kill', '--signal=9', 'a', 'b')).toMatchObject({ opts: { signal: '9' }, args: ['a', 'b'] });
    expect(await both('wait', 'a', 'b', 'c')).toMatchObject({ command: 'wait', args: ['a', 'b', 'c'] });
    expect(await both('pause', 'a')).toMatchObject({ command: 'pause', args: ['a'] });
    expect(await both('unpause', 'a', 'b')).toMatchObject({ command: 'unpause', args: ['a', 'b'] });
    expect((await usageError('wait')).exitCode).toBe(1);
  });

  it('rename OLD NEW needs both', async () => {
    expect(await both('rename', 'old', 'new')).toMatchObject({ command: 'rename', args: ['old', 'new'] });
    await usageError('rename', 'old');
    expect(stderr.join('')).toContain("missing required argument 'NEW_NAME'");
  });

  it('attach [--no-stdin] [--detach-keys] CONTAINER', async () => {
    expect(await both('attach', 'web')).toMatchObject({ command: 'attach', args: ['web'], opts: { stdin: true } });
    expect(await both('attach', '--no-stdin', '--detach-keys', 'ctrl-e', 'web')).toMatchObject({ opts: { stdin: false, detachKeys: 'ctrl-e' } });
  });

  it('exec: flags before CONTAINER are exec flags, after it they belong to the command', async () => {
    const inv = await both('exec', '-it', '-d', '-e', 'A=1', '-e', 'B', '-w', '/tmp', '-u', 'nobody', '--detach-keys', 'ctrl-q', 'web', 'ls', '-l', '-t');
    expect(inv).toMatchObject({
      command: 'exec', args: ['web', 'ls', '-l', '-t'],
      opts: { interactive: true, tty: true, detach: true, env: ['A=1', 'B'], workdir: '/tmp', user: 'nobody', detachKeys: 'ctrl-q' },
    });
    await usageError('exec', 'web');
    expect(stderr.join('')).toContain("missing required argument 'COMMAND'");
  });

  it('top CONTAINER; stats [-a] [--no-stream] [--no-trunc] [--format] [CONTAINER...]', async () => {
    expect(await both('top', 'web')).toMatchObject({ command: 'top', args: ['web'] });
    expect(await both('stats')).toMatchObject({ command: 'stats', args: [], opts: { stream: true, trunc: true } });
    expect(await both('stats', '-a', '--no-stream', '--no-trunc', '--format', '{{.Name}}', 'a', 'b'))
      .toMatchObject({ args: ['a', 'b'], opts: { all: true, stream: false, trunc: false, format: '{{.Name}}' } });
  });

  it('logs -f -t --since --until --tail/-n', async () => {
    expect(await both('logs', '-f', '-t', '--since', '10m', '--until', '2024-01-01T00:00:00Z', '--tail', '5', 'web'))
      .toMatchObject({ command: 'logs', args: ['web'], opts: { follow: true, timestamps: true, since: '10m', until: '2024-01-01T00:00:00Z', tail: '5' } });
    expect((await parse('logs', '-n', 'all', 'web')).opts).toMatchObject({ tail: 'all' });
  });

  it('ps -a -q -n -l -s --no-trunc --filter… --format; container ls/ps/list', async () => {
    const inv = await parse('ps', '-a', '-q', '-n', '3', '-l', '-s', '--no-trunc', '--filter', 'status=exited', '-f', 'label=a=b', '--format', 'json');
    expect(inv).toMatchObject({
      command: 'ps',
      opts: { all: true, quiet: true, last: 3, latest: true, size: true, trunc: false, filter: ['status=exited', 'label=a=b'], format: 'json' },
    });
    for (const alias of ['ls', 'ps', 'list']) expect(await parse('container', alias, '-n', '2')).toMatchObject({ command: 'ps', opts: { last: 2 } });
    expect((await usageError('ps', '-n', 'x')).exitCode).toBe(1);
  });

  it('inspect: top-level looks at every object type, container inspect only containers, image inspect only images', async () => {
    expect(await parse('inspect', '--type', 'container', '-f', '{{.Id}}', 'a', 'b'))
      .toMatchObject({ command: 'object-inspect', args: ['a', 'b'], opts: { type: 'container', format: '{{.Id}}' } });
    expect(await parse('container', 'inspect', '--format', 'json', 'a')).toMatchObject({ command: 'container-inspect', args: ['a'], opts: { format: 'json' } });
    expect(await parse('image', 'inspect', 'busybox')).toMatchObject({ command: 'inspect', args: ['busybox'] });
  });

  it('container prune [-f]; events --since --until --filter --format', async () => {
    expect(await parse('container', 'prune')).toMatchObject({ command: 'container-prune', opts: {} });
    expect(await parse('container', 'prune', '-f')).toMatchObject({ opts: { force: true } });
    expect(await parse('events', '--since', '1h', '--until', '0', '-f', 'type=container', '--filter', 'event=start', '--format', '{{json .}}'))
      .toMatchObject({ command: 'events', opts: { since: '1h', until: '0', filter: ['type=container', 'event=start'], format: '{{json .}}' } });
  });
});
