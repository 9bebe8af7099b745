// -u name[:group] resolution from an image's layer directories.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { readLayeredFile, resolveUser } from '../../src/runtime/user-lookup.js';

let root: string;
let top: string;
let base: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'berth-users-'));
  top = join(root, 'top');
  base = join(root, 'base');
  for (const d of [top, base]) mkdirSync(join(d, 'etc'), { recursive: true });
  writeFileSync(join(base, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nold:x:5:5::/:/bin/sh\n');
  writeFileSync(join(top, 'etc/passwd'), '# users\nroot:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\nbob:x:1001:100::/:/bin/sh\n');
  writeFileSync(join(base, 'etc/group'), 'root:x:0:\nstaff:x:50:alice,bob\nusers:x:100:\nalice:x:1000:\nwheel:x:10:alice\n');
  // The top layer deletes /etc/shadow-like file: an overlay whiteout (char device 0/0).
  writeFileSync(join(base, 'etc/motd'), 'hello\n');
  execFileSync('mknod', [join(top, 'etc/motd'), 'c', '0', '0']);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('resolveUser', () => {
  it('reads the upper-most copy of a file and honours whiteouts', () => {
    expect(readLayeredFile([top, base], 'etc/passwd')).toContain('alice');
    expect(readLayeredFile([base], 'etc/motd')).toBe('hello\n');
    expect(readLayeredFile([top, base], 'etc/motd')).toBeNull();
  });
  it('resolves a name to its uid, primary gid and supplementary groups', () => {
    expect(resolveUser('alice', [top, base])).toEqual({ uid: 1000, gid: 1000, additionalGids: [50, 10] });
    expect(resolveUser('bob', [top, base])).toEqual({ uid: 1001, gid: 100, additionalGids: [50] });
    expect(resolveUser('root', [top, base])).toEqual({ uid: 0, gid: 0 });
  });
  it('takes an explicit group by name or number, without supplementary groups', () => {
    expect(resolveUser('alice:staff', [top, base])).toEqual({ uid: 1000, gid: 50 });
    expect(resolveUser('alice:4242', [top, base])).toEqual({ uid: 1000, gid: 4242 });
  });
  it('runs an unknown numeric uid with gid 0, and a known one with its entry\'s gid', () => {
    expect(resolveUser('4242', [top, base])).toEqual({ uid: 4242, gid: 0 });
    expect(resolveUser('1001', [top, base])).toEqual({ uid: 1001, gid: 100, additionalGids: [50] });
    expect(resolveUser('7:8', [])).toEqual({ uid: 7, gid: 8 });
  });
  it('fails clearly for unknown names', () => {
    expect(() => resolveUser('old', [top, base])).toThrow('unable to find user old: no matching entries in passwd file');
    expect(() => resolveUser('alice:nogroup', [top, base])).toThrow('unable to find group nogroup: no matching entries in group file');
  });
});
