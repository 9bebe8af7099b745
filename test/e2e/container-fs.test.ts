// cp (both directions, tar streams, stopped containers, symlink escape
// attempts, errors) and diff, end to end with a real daemon and containers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CLI_JS, startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { loadBusybox, ok } from '../fixtures/e2e-helpers.js';

let d: TestDaemon;
let work: string;
const marker = `berth-escape-${process.pid}-${Date.now()}`;

function sh(name: string, script: string): string {
  return ok(d.berth(['exec', name, 'sh', '-c', script]));
}

function fail(args: string[], input?: string | Buffer): string {
  const r = d.berth(args, input === undefined ? {} : { input });
  expect(r.code, `berth ${args.join(' ')} should fail`).toBe(1);
  expect(r.stdout).toBe('');
  return r.stderr;
}

function bytes(args: string[]): Buffer {
  const r = spawnSync(process.execPath, [CLI_JS, '-H', `unix://${d.socket}`, ...args], { maxBuffer: 64 * 1024 * 1024 });
  expect({ code: r.status, stderr: r.stderr.toString() }).toEqual({ code: 0, stderr: '' });
  return r.stdout;
}

function local(...parts: string[]): string {
  return join(work, ...parts);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'berth-container-fs-'));
  d = await startDaemon();
  loadBusybox(d);
  const setup = [
    'mkdir -p /data/sub', 'echo hello > /data/a.txt', 'echo deep > /data/sub/b', 'chown 1234:2345 /data/sub/b',
    'ln -s / /escape', 'ln -s ../../../etc /x', 'ln -s a.txt /data/link', 'rm /bin/vi', 'echo changed >> /etc/passwd',
    'touch /ready', 'exec sleep 1000',
  ].join(' && ');
  ok(d.berth(['run', '-d', '--name', 'live', 'busybox', 'sh', '-c', setup]));
  ok(d.berth(['run', '--name', 'stopped', 'busybox', 'sh', '-c', 'mkdir /made && echo before > /made/f && ln -s / /escape']));
  for (let i = 0; i < 200 && d.berth(['exec', 'live', 'test', '-e', '/ready']).code !== 0; i++) await new Promise((r) => setTimeout(r, 50));
});

afterAll(async () => {
  await d?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('cp out of a container', () => {
  it('copies a file into an existing directory, or to a new name', () => {
    mkdirSync(local('out1'));
    ok(d.berth(['cp', 'live:/data/a.txt', local('out1')]));
    expect(readFileSync(local('out1', 'a.txt'), 'utf8')).toBe('hello\n');
    ok(d.berth(['cp', 'live:/data/a.txt', local('out1', 'renamed.txt')]));
    expect(readFileSync(local('out1', 'renamed.txt'), 'utf8')).toBe('hello\n');
    ok(d.berth(['cp', 'live:/data/sub/b', local('out1', 'renamed.txt')])); // an existing file is overwritten
    expect(readFileSync(local('out1', 'renamed.txt'), 'utf8')).toBe('deep\n');
  });

  it('applies the directory rules: new name, into an existing directory, "/." for the contents', () => {
    ok(d.berth(['cp', 'live:/data', local('fresh')]));
    expect(readdirSync(local('fresh')).sort()).toEqual(['a.txt', 'link', 'sub']);
    mkdirSync(local('existing'));
    ok(d.berth(['cp', 'live:/data', local('existing')]));
    expect(readdirSync(local('existing'))).toEqual(['data']);
    mkdirSync(local('contents'));
    ok(d.berth(['cp', 'live:/data/.', local('contents')]));
    expect(readdirSync(local('contents')).sort()).toEqual(['a.txt', 'link', 'sub']);
  });

  it('keeps symlinks unless -L, and keeps owners only with -a', () => {
    ok(d.berth(['cp', 'live:/data/link', local('link-copy')]));
    expect(readlinkSync(local('link-copy'))).toBe('a.txt');
    ok(d.berth(['cp', '-L', 'live:/data/link', local('link-followed')]));
    expect(readFileSync(local('link-followed'), 'utf8')).toBe('hello\n');
    ok(d.berth(['cp', 'live:/data/sub/b', local('owned-default')]));
    expect(statSync(local('owned-default')).uid).toBe(process.getuid!());
    ok(d.berth(['cp', '-a', 'live:/data/sub/b', local('owned-archive')]));
    expect([statSync(local('owned-archive')).uid, statSync(local('owned-archive')).gid]).toEqual([1234, 2345]);
  });

  it('writes a tar stream to stdout with "-"', () => {
    writeFileSync(local('stream.tar'), bytes(['cp', 'live:/data', '-']));
    const names = execFileSync('tar', ['-tf', local('stream.tar')], { encoding: 'utf8' }).trim().split('\n');
    expect(names).toEqual(['data/', 'data/a.txt', 'data/link', 'data/sub/', 'data/sub/b']);
  });

  it('resolves symlinks inside the container root, never on the host', () => {
    ok(d.berth(['cp', 'live:/x/passwd', local('via-x')]));
    ok(d.berth(['cp', 'live:/escape/etc/passwd', local('via-escape')]));
    const containerPasswd = sh('live', 'cat /etc/passwd');
    expect(containerPasswd).toContain('changed');
    expect(readFileSync(local('via-x'), 'utf8')).toBe(containerPasswd);
    expect(readFileSync(local('via-escape'), 'utf8')).toBe(containerPasswd);
    expect(readFileSync(local('via-x'), 'utf8')).not.toBe(readFileSync('/etc/passwd', 'utf8'));
    ok(d.berth(['cp', 'live:/escape/../../../data/a.txt', local('dotdot')]));
    expect(readFileSync(local('dotdot'), 'utf8')).toBe('hello\n');
  });
});

describe('cp into a container', () => {
  it('copies a file and a directory with Docker\'s rules; owner root unless -a', () => {
    writeFileSync(local('in.txt'), 'payload\n');
    mkdirSync(local('tree', 'inner'), { recursive: true });
    writeFileSync(local('tree', 'inner', 'f'), 'tree file\n');
    ok(d.berth(['cp', local('in.txt'), 'live:/data/']));
    expect(sh('live', 'cat /data/in.txt; stat -c %u /data/in.txt')).toBe(`payload\n0\n`);
    ok(d.berth(['cp', local('tree'), 'live:/newtree']));
    expect(sh('live', 'cat /newtree/inner/f')).toBe('tree file\n');
    ok(d.berth(['cp', local('tree'), 'live:/data']));
    expect(sh('live', 'cat /data/tree/inner/f')).toBe('tree file\n');
    ok(d.berth(['cp', `${local('tree')}/.`, 'live:/data/sub']));
    expect(sh('live', 'cat /data/sub/inner/f')).toBe('tree file\n');
    execFileSync('chown', ['4321:4321', local('in.txt')]);
    ok(d.berth(['cp', '-a', local('in.txt'), 'live:/data/kept.txt']));
    expect(sh('live', 'stat -c %u:%g /data/kept.txt')).toBe('4321:4321\n');
  });

  it('extracts a tar stream from stdin with "-"', () => {
    execFileSync('tar', ['-C', work, '-cf', local('up.tar'), 'in.txt', 'tree']);
    ok(d.berth(['cp', '-', 'live:/tmp'], { input: readFileSync(local('up.tar')) }));
    expect(sh('live', 'cat /tmp/in.txt /tmp/tree/inner/f')).toBe('payload\ntree file\n');
  });

  it('writes through container symlinks inside the container, never to the host', () => {
    writeFileSync(local(marker), 'inside\n');
    ok(d.berth(['cp', local(marker), 'live:/escape/tmp/']));
    ok(d.berth(['cp', local(marker), 'live:/x/']));
    expect(sh('live', `cat /tmp/${marker} /etc/${marker}`)).toBe('inside\ninside\n');
    expect(existsSync(`/tmp/${marker}`)).toBe(false);
    expect(existsSync(`/etc/${marker}`)).toBe(false);
  });

  it('refuses tar entries that climb out of the destination', () => {
    mkdirSync(local('evil', 'a'), { recursive: true });
    writeFileSync(local('evil', 'a', 'f'), 'x');
    const tar = execFileSync('tar', ['-C', local('evil', 'a'), '-cf', '-', '--transform', `s,^,../../../../tmp/${marker}-tar/,`, 'f']);
    const err = fail(['cp', '-', 'live:/data'], tar);
    expect(err).toMatch(/\.\./);
    expect(existsSync(`/tmp/${marker}-tar`)).toBe(false);
  });
});

describe('cp on a stopped container', () => {
  it('reads and writes its file system and leaves no mount behind', () => {
    ok(d.berth(['cp', 'stopped:/made/f', local('from-stopped')]));
    expect(readFileSync(local('from-stopped'), 'utf8')).toBe('before\n');
    ok(d.berth(['cp', local('in.txt'), 'stopped:/escape/made/']));
    ok(d.berth(['cp', 'stopped:/made/in.txt', local('roundtrip')]));
    expect(readFileSync(local('roundtrip'), 'utf8')).toBe('payload\n');
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(join(d.root, 'tmp'));
    expect(readdirSync(join(d.root, 'tmp'))).toEqual([]);
    expect(ok(d.berth(['diff', 'stopped']))).toContain('A /made/in.txt\n');
  });
});

describe('cp errors', () => {
  it('says what is missing, like Docker', () => {
    expect(fail(['cp', 'live:/nope', local('x')])).toContain('Could not find the file /nope in container live');
    expect(fail(['cp', 'ghost:/etc/passwd', local('x')])).toMatch(/No such container: ghost/);
    expect(fail(['cp', local('in.txt'), 'live:/no/such/dir/'])).toMatch(/does not exist/);
    expect(fail(['cp', local('tree'), 'live:/data/a.txt'])).toMatch(/cannot copy a directory to a file/);
    expect(fail(['cp', local('in.txt'), local('y')])).toMatch(/CONTAINER:PATH/);
    expect(fail(['cp', 'live:/a', 'stopped:/b'])).toMatch(/between containers/);
    expect(fail(['cp', local('missing-file'), 'live:/tmp'])).toMatch(/Could not find the file .*missing-file/);
    expect(lstatSync(local('in.txt')).isFile()).toBe(true);
  });
});

describe('diff', () => {
  it('lists A, C and D lines in path order', () => {
    const lines = ok(d.berth(['diff', 'live'])).trim().split('\n');
    expect(lines).toEqual([...lines].sort((a, b) => (a.slice(2) < b.slice(2) ? -1 : 1)));
    expect(lines).toEqual(expect.arrayContaining(['C /bin', 'D /bin/vi', 'A /data', 'A /data/a.txt', 'A /data/sub/b', 'C /etc', 'C /etc/passwd', 'A /escape', 'A /x']));
    expect(fail(['diff', 'ghost'])).toMatch(/No such container/);
  });
});
