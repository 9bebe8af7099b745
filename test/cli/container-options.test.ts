// Client-side parsing and checks for the container commands: env files,
// restart policies, labels, log options, detach keys, time arguments,
// filters, and the params each command sends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnvFile, readEnvFile } from '../../cli/commands/container/env-file.js';
import { parseRestartPolicy } from '../../cli/commands/container/restart-policy.js';
import { parseLabels, toCreateParams, toRunParams } from '../../cli/commands/container/run-options.js';
import { DetachDetector, parseDetachKeys } from '../../cli/commands/container/detach-keys.js';
import { parseGoDuration, resolveTimeArg } from '../../cli/format/time-arg.js';
import { parseFilters } from '../../cli/commands/container/filters.js';
import { toLogsParams } from '../../cli/commands/container/logs.js';
import { toListParams } from '../../cli/commands/container/list.js';
import { toExecParams } from '../../cli/commands/container/exec.js';
import { toEventsParams } from '../../cli/commands/system/events.js';

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), 'berth-opts-')); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe('--env-file (Docker format)', () => {
  it('skips comments and blank lines, keeps values literally, copies bare names from the shell', () => {
    const text = [
      '# a comment', '', '   ', 'A=1', '  B=two words  ', 'C="quoted"', 'D=', 'E=x=y', '  # indented comment',
      'FROM_SHELL', 'UNSET_IN_SHELL', '\tINDENTED=ok',
    ].join('\n');
    expect(parseEnvFile(text, 'f.env', { FROM_SHELL: 'shell value' })).toEqual([
      'A=1', 'B=two words  ', 'C="quoted"', 'D=', 'E=x=y', 'FROM_SHELL=shell value', 'INDENTED=ok',
    ]);
  });

  it('handles CRLF line endings and a UTF-8 byte-order mark', () => {
    expect(parseEnvFile('\uFEFFA=1\r\nB=2\r\n', 'f.env', {})).toEqual(['A=1', 'B=2']);
  });

  it('rejects names with whitespace and lines without a name, naming file and line', () => {
    expect(() => parseEnvFile('OK=1\nBAD NAME=1', 'f.env', {})).toThrow("invalid env file f.env, line 2: variable 'BAD NAME' contains whitespaces");
    expect(() => parseEnvFile('=value', 'f.env', {})).toThrow(/line 1: no variable name/);
  });

  it('reads files; a missing file and invalid UTF-8 are clear errors', async () => {
    const good = join(dir, 'good.env');
    await writeFile(good, 'X=1\n');
    expect(readEnvFile(good, {})).toEqual(['X=1']);
    expect(() => readEnvFile(join(dir, 'missing.env'), {})).toThrow(/cannot read env file .*missing\.env: no such file/);
    const bad = join(dir, 'bad.env');
    await writeFile(bad, Buffer.from([0x41, 0x3d, 0xff, 0xfe, 0x0a]));
    expect(() => readEnvFile(bad, {})).toThrow(/contains invalid utf8 bytes/);
  });

  it('run puts env-file entries before -e, so -e wins', async () => {
    const file = join(dir, 'order.env');
    await writeFile(file, 'A=from-file\nB=file\n');
    expect(toRunParams(['busybox'], { envFile: [file], env: ['A=from-flag'] }, {}).env).toEqual(['A=from-file', 'B=file', 'A=from-flag']);
  });
});

describe('--restart and the checks Docker does locally', () => {
  it.each([
    ['no', 'no'], ['always', 'always'], ['unless-stopped', 'unless-stopped'], ['on-failure', 'on-failure'],
    ['on-failure:5', 'on-failure:5'], ['on-failure:0', 'on-failure'], ['', 'no'],
  ])('%j → %s', (value, policy) => {
    expect(parseRestartPolicy(value)).toBe(policy);
  });

  it.each([
    ['sometimes', "invalid restart policy: unknown policy 'sometimes'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'"],
    [':3', 'invalid restart policy format: no policy provided before colon'],
    ['on-failure:x', 'invalid restart policy format: maximum retry count must be an integer'],
    ['on-failure:-1', 'invalid restart policy: maximum retry count cannot be negative'],
    ['always:3', "invalid restart policy: maximum retry count can only be used with 'on-failure'"],
  ])('%j is refused', (value, message) => {
    expect(() => parseRestartPolicy(value)).toThrow(message);
  });

  it('--rm with a restart policy other than no conflicts', () => {
    expect(() => toRunParams(['busybox'], { rm: true, restart: 'always' }, {})).toThrow('Conflicting options: --restart and --rm');
    expect(toRunParams(['busybox'], { rm: true, restart: 'no' }, {})).toEqual({ image: 'busybox', autoRemove: true, restart: 'no' });
  });

  it('labels: KEY=VALUE, KEY alone is empty, later wins, empty key refused', () => {
    expect(parseLabels(['a=1', 'b', 'c=x=y', 'a=2'])).toEqual({ a: '2', b: '', c: 'x=y' });
    expect(() => parseLabels(['=v'])).toThrow(/invalid label "=v"/);
  });

  it('log driver and options', () => {
    expect(toCreateParams(['busybox'], { logDriver: 'local', logOpt: ['max-size=10m', 'max-file=3'] }, {}))
      .toEqual({ image: 'busybox', logDriver: 'local', logOpts: { 'max-size': '10m', 'max-file': '3' } });
    expect(() => toCreateParams(['busybox'], { logDriver: 'syslog' }, {})).toThrow(/unsupported --log-driver "syslog": berth supports local, json-file, none/);
    expect(() => toCreateParams(['busybox'], { logDriver: 'none', logOpt: ['a=b'] }, {})).toThrow('invalid logging opts for driver none');
    expect(() => toCreateParams(['busybox'], { logOpt: ['novalue'] }, {})).toThrow(/expected KEY=VALUE/);
  });

  it('every create field lands where CreateParams wants it', () => {
    expect(toRunParams(['busybox', 'sh'], {
      interactive: true, tty: true, hostname: 'h', user: 'u', label: ['k=v'], restart: 'on-failure:2', stopSignal: 'SIGINT',
      stopTimeout: 4, logDriver: 'json-file', detach: true, detachKeys: 'ctrl-a',
    }, {})).toEqual({
      image: 'busybox', cmd: ['sh'], openStdin: true, tty: true, hostname: 'h', user: 'u', labels: { k: 'v' }, restart: 'on-failure:2',
      stopSignal: 'SIGINT', stopTimeout: 4, logDriver: 'json-file', detach: true,
    });
    expect(() => toRunParams(['busybox'], { detachKeys: 'ctrl-1' }, {})).toThrow(/invalid --detach-keys "ctrl-1"/);
    expect(() => toCreateParams([], {}, {}, 'create')).toThrow("'berth create' requires at least 1 argument");
  });
});

describe('detach keys', () => {
  it('parses Docker key specs', () => {
    expect(parseDetachKeys('ctrl-p,ctrl-q')).toEqual([16, 17]);
    expect(parseDetachKeys('ctrl-@,ctrl-[,ctrl-\\,ctrl-],ctrl-^,ctrl-_')).toEqual([0, 27, 28, 29, 30, 31]);
    expect(parseDetachKeys('a,ctrl-A,Z')).toEqual([97, 1, 90]);
    expect(() => parseDetachKeys('ctrl-pq')).toThrow(/unknown key "ctrl-pq"/);
    expect(() => parseDetachKeys('')).toThrow(/unknown key ""/);
  });

  const feedAll = (keys: number[], chunks: number[][]) => {
    const d = new DetachDetector(keys);
    const forwarded: number[] = [];
    for (const chunk of chunks) {
      const r = d.feed(Uint8Array.from(chunk));
      forwarded.push(...r.forward);
      if (r.detached) return { forwarded, detached: true };
    }
    return { forwarded, detached: false };
  };

  it('detects ctrl-p ctrl-q in one chunk and forwards what came before', () => {
    expect(feedAll([16, 17], [[104, 105, 16, 17, 120]])).toEqual({ forwarded: [104, 105], detached: true });
  });

  it('detects the sequence split across chunks', () => {
    expect(feedAll([16, 17], [[97, 16], [17]])).toEqual({ forwarded: [97], detached: true });
  });

  it('a held prefix followed by something else is forwarded, in order', () => {
    expect(feedAll([16, 17], [[16], [97]])).toEqual({ forwarded: [16, 97], detached: false });
    expect(feedAll([16, 17], [[16, 16, 17]])).toEqual({ forwarded: [16], detached: true });
    expect(feedAll([1, 2, 3], [[1, 2, 1, 2, 3]])).toEqual({ forwarded: [1, 2], detached: true });
  });

  it('a one-key sequence detaches immediately; plain input passes untouched', () => {
    expect(feedAll([5], [[1, 2, 5, 9]])).toEqual({ forwarded: [1, 2], detached: true });
    expect(feedAll([16, 17], [[0, 255, 17, 3]])).toEqual({ forwarded: [0, 255, 17, 3], detached: false });
  });
});

describe('--since / --until', () => {
  const now = Date.parse('2026-11-28T04:00:00Z');

  it.each([
    ['10m', 600_000_000_000n], ['1h30m', 5_400_000_000_000n], ['1.5h', 5_400_000_000_000n], ['300ms', 300_000_000n],
    ['2h45m30.5s', 9_930_500_000_000n], ['-1m', -60_000_000_000n], ['0', 0n], ['1us', 1_000n], ['7ns', 7n],
  ])('Go duration %s', (text, ns) => {
    expect(parseGoDuration(text)).toBe(ns);
  });

  it('is undefined for things that are not durations', () => {
    for (const bad of ['', '10', 'm', '1d', '1h 30m', 'abc']) expect(parseGoDuration(bad)).toBeUndefined();
  });

  it.each([
    ['10m', '2026-11-28T03:50:00Z'],
    ['1h30m', '2026-11-28T02:30:00Z'],
    ['1700000000', '2023-11-14T22:13:20Z'],
    ['1700000000.123456789', '2023-11-14T22:13:20.123456789Z'],
    ['0', '1970-01-01T00:00:00Z'],
    ['2024-01-02T15:04:05Z', '2024-01-02T15:04:05Z'],
    ['2024-01-02T15:04:05.5+02:00', '2024-01-02T13:04:05.5Z'],
    ['2024-01-02T15:04:05.000000001Z', '2024-01-02T15:04:05.000000001Z'],
  ])('%s → %s', (value, rfc) => {
    expect(resolveTimeArg('--since', value, now)).toBe(rfc);
  });

  it('a date without a zone is local time, as in Docker', () => {
    const local = new Date(2024, 0, 2, 15, 4, 0).toISOString().replace('.000', '');
    expect(resolveTimeArg('--since', '2024-01-02T15:04', now)).toBe(local);
    expect(resolveTimeArg('--since', '2024-01-02', now)).toBe(new Date(2024, 0, 2).toISOString().replace('.000', ''));
  });

  it('anything else is a clear error naming the flag', () => {
    expect(() => resolveTimeArg('--until', 'yesterday', now)).toThrow(/invalid value for --until: "yesterday" is not a time/);
    expect(() => resolveTimeArg('--since', '2024-13-01', now)).toThrow(/invalid value for --since/);
  });
});

describe('params each command sends', () => {
  const now = Date.parse('2026-11-28T04:00:00Z');

  it('logs: only what was asked; durations resolved; --tail all means everything', () => {
    expect(toLogsParams('web', {}, now)).toEqual({ id: 'web' });
    expect(toLogsParams('web', { follow: true, timestamps: true, tail: '20', since: '10m', until: '1700000000' }, now))
      .toEqual({ id: 'web', follow: true, timestamps: true, tail: 20, since: '2026-11-28T03:50:00Z', until: '2023-11-14T22:13:20Z' });
    expect(toLogsParams('web', { tail: 'all' }, now)).toEqual({ id: 'web' });
    expect(() => toLogsParams('web', { tail: 'ten' }, now)).toThrow('invalid value for --tail: "ten" (expected a number of lines, or "all")');
  });

  it('ps: filters grouped by key, -n and -l as limit', () => {
    expect(toListParams({})).toEqual({});
    expect(toListParams({ all: true, filter: ['status=exited', 'status=created', 'label=a=b', 'Name=web'], last: 3 }))
      .toEqual({ all: true, limit: 3, filters: { status: ['exited', 'created'], label: ['a=b'], name: ['web'] } });
    expect(toListParams({ latest: true, last: 5 })).toEqual({ limit: 1 });
    expect(toListParams({ last: -1 })).toEqual({});
    expect(() => parseFilters(['status'])).toThrow('bad format of filter "status" (expected name=value, e.g. --filter status=exited)');
  });

  it('exec: container, command and the flags given', () => {
    expect(toExecParams(['web', 'ls', '-l'], {}, {})).toEqual({ id: 'web', cmd: ['ls', '-l'] });
    expect(toExecParams(['web', 'sh'], { interactive: true, tty: true, detach: true, env: ['A=1', 'HOME'], workdir: '/tmp', user: 'nobody' }, { HOME: '/root' }))
      .toEqual({ id: 'web', cmd: ['sh'], interactive: true, tty: true, detach: true, env: ['A=1', 'HOME=/root'], workdir: '/tmp', user: 'nobody' });
  });

  it('events: times resolved, filters grouped', () => {
    expect(toEventsParams({}, now)).toEqual({});
    expect(toEventsParams({ since: '1h', until: '0', filter: ['type=container', 'event=start', 'event=die'] }, now)).toEqual({
      since: '2026-11-28T03:00:00Z', until: '1970-01-01T00:00:00Z', filters: { type: ['container'], event: ['start', 'die'] },
    });
  });
});
