// Volumes and mounts end to end: named volumes that outlive containers,
// binds (read-only ones refuse writes), tmpfs, anonymous volumes from an
// image's VOLUME filled from the image, rm -v, in-use refusal, prune, and
// clear errors for bad specs — real daemon, real containers, real mounts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { ok, loadBusybox, inspectContainer } from '../fixtures/e2e-helpers.js';

let d: TestDaemon;

beforeAll(async () => {
  d = await startDaemon();
  loadBusybox(d);
});

afterAll(async () => {
  await d?.stop();
});

const volumeDoc = (name: string) => JSON.parse(ok(d.berth(['volume', 'inspect', name])))[0];

describe('named volumes', () => {
  it('create, ls, inspect with labels; the data outlives the container and the next one sees it', () => {
    expect(ok(d.berth(['volume', 'create', '--label', 'tier=db', 'vdata'])).trim()).toBe('vdata');
    const doc = volumeDoc('vdata');
    expect(doc).toMatchObject({ Name: 'vdata', Driver: 'local', Labels: { tier: 'db' }, Scope: 'local', Mountpoint: join(d.root, 'volumes/vdata/_data') });
    expect(ok(d.berth(['volume', 'ls', '-q', '-f', 'label=tier=db'])).trim()).toBe('vdata');
    ok(d.berth(['run', '--rm', '-v', 'vdata:/data', 'busybox', 'sh', '-c', 'echo kept > /data/f']));
    expect(readFileSync(join(doc.Mountpoint, 'f'), 'utf8')).toBe('kept\n');
    expect(ok(d.berth(['run', '--rm', '--mount', 'type=volume,source=vdata,target=/d', 'busybox', 'cat', '/d/f']))).toBe('kept\n');
    ok(d.berth(['volume', 'rm', 'vdata']));
    expect(existsSync(doc.Mountpoint)).toBe(false);
    expect(d.berth(['volume', 'ls', '-q']).stdout).toBe('');
  });

  it('a volume used by a container cannot be removed, and shows in inspect Mounts', () => {
    ok(d.berth(['create', '--name', 'user1', '-v', 'busy:/data:ro', 'busybox', 'true']));
    const mounts = inspectContainer(d, 'user1').Mounts;
    expect(mounts).toEqual([expect.objectContaining({ Type: 'volume', Name: 'busy', Destination: '/data', RW: false, Driver: 'local' })]);
    const r = d.berth(['volume', 'rm', 'busy']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/volume is in use/);
    expect(ok(d.berth(['volume', 'ls', '-q', '-f', 'dangling=false'])).trim()).toBe('busy');
    ok(d.berth(['rm', 'user1']));
    ok(d.berth(['volume', 'rm', 'busy']));
  });

  it('a read-only volume refuses writes', () => {
    const r = d.berth(['run', '--rm', '-v', 'rov:/data:ro', 'busybox', 'sh', '-c', 'echo x > /data/f']);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/Read-only file system/);
    ok(d.berth(['volume', 'rm', 'rov']));
  });

  it('a tmpfs volume from driver options is mounted on the host and removed with the volume', () => {
    ok(d.berth(['volume', 'create', '-o', 'type=tmpfs', '-o', 'device=tmpfs', '-o', 'o=size=1m', 'tv']));
    expect(ok(d.berth(['run', '--rm', '-v', 'tv:/t', 'busybox', 'sh', '-c', 'echo hi > /t/a && cat /t/a']))).toBe('hi\n');
    const mp = volumeDoc('tv').Mountpoint;
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).toContain(` ${mp} `);
    ok(d.berth(['volume', 'rm', 'tv']));
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(` ${mp} `);
  });

  it('prune removes unused anonymous volumes, and named ones with -a', () => {
    ok(d.berth(['volume', 'create', 'keepme']));
    ok(d.berth(['run', '--name', 'anon1', '-v', '/scratch', 'busybox', 'true']));
    const anon = inspectContainer(d, 'anon1').Mounts[0].Name as string;
    expect(anon).toMatch(/^[0-9a-f]{64}$/);
    ok(d.berth(['rm', 'anon1']));
    const out = ok(d.berth(['volume', 'prune', '-f']));
    expect(out).toContain(anon);
    expect(out).not.toContain('keepme');
    expect(ok(d.berth(['volume', 'prune', '-f', '-a']))).toContain('keepme');
    expect(d.berth(['volume', 'ls', '-q']).stdout).toBe('');
  });
});

describe('bind and tmpfs mounts', () => {
  it('-v binds a host directory read-write; :ro and --mount readonly refuse writes', () => {
    const host = join(d.dir, 'bind-src');
    mkdirSync(host);
    writeFileSync(join(host, 'in'), 'from host\n');
    expect(ok(d.berth(['run', '--rm', '-v', `${host}:/h`, 'busybox', 'sh', '-c', 'cat /h/in; echo back > /h/out']))).toBe('from host\n');
    expect(readFileSync(join(host, 'out'), 'utf8')).toBe('back\n');
    for (const flags of [['-v', `${host}:/h:ro`], ['--mount', `type=bind,source=${host},target=/h,readonly`]]) {
      const r = d.berth(['run', '--rm', ...flags, 'busybox', 'sh', '-c', 'echo no > /h/out']);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/Read-only file system/);
    }
    expect(readFileSync(join(host, 'out'), 'utf8')).toBe('back\n');
  });

  it('-v creates a missing host directory; --mount refuses a missing source', () => {
    const missing = join(d.dir, 'made-by-v');
    ok(d.berth(['run', '--rm', '-v', `${missing}:/m`, 'busybox', 'true']));
    expect(existsSync(missing)).toBe(true);
    const r = d.berth(['run', '--rm', '--mount', `type=bind,source=${join(d.dir, 'nope')},target=/m`, 'busybox', 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/bind source path does not exist/);
  });

  it('--mount type=tmpfs gives a fresh tmpfs of the asked size', () => {
    const out = ok(d.berth(['run', '--rm', '--mount', 'type=tmpfs,target=/scratch,tmpfs-size=2m', 'busybox', 'sh', '-c', 'grep " /scratch " /proc/mounts']));
    expect(out).toMatch(/^tmpfs \/scratch tmpfs rw,nosuid,nodev.*size=2048k/);
  });
});

describe('anonymous volumes from the image', () => {
  it('an image VOLUME gets a fresh volume filled from the image; rm -v removes it, a named one is filled too', () => {
    ok(d.berth(['run', '--name', 'seed', 'busybox', 'sh', '-c', 'mkdir /data && echo seeded > /data/seed.txt']));
    const tar = join(d.dir, 'seed.tar');
    ok(d.berth(['export', '-o', tar, 'seed']));
    ok(d.berth(['rm', 'seed']));
    ok(d.berth(['import', '-c', 'VOLUME /data', '-c', 'CMD ["sh"]', tar, 'volimg:1']));
    ok(d.berth(['run', '--name', 'v1', 'volimg:1', 'sh', '-c', 'cat /data/seed.txt; echo mine > /data/new']));
    expect(d.berth(['logs', 'v1']).stdout).toBe('seeded\n');
    const [m] = inspectContainer(d, 'v1').Mounts;
    expect(m).toMatchObject({ Type: 'volume', Destination: '/data', RW: true });
    expect(readFileSync(join(m.Source, 'new'), 'utf8')).toBe('mine\n');
    ok(d.berth(['rm', '-v', 'v1']));
    expect(existsSync(m.Source)).toBe(false);
    expect(d.berth(['volume', 'ls', '-q']).stdout).toBe('');
    // a new named volume over the VOLUME path is filled from the image too
    expect(ok(d.berth(['run', '--rm', '-v', 'filled:/data', 'volimg:1', 'cat', '/data/seed.txt']))).toBe('seeded\n');
    // --rm drops anonymous volumes, keeps named ones
    expect(ok(d.berth(['volume', 'ls', '-q'])).trim()).toBe('filled');
    ok(d.berth(['volume', 'rm', 'filled']));
  });
});

describe('bad input', () => {
  it.each([
    [['-v', 'data'], /invalid mount spec "data": the mount point "data" must be an absolute path/],
    [['-v', 'x:/d:rx'], /invalid mode "rx"/],
    [['-v', 'a::/d'], /invalid mount spec/],
    [['--mount', 'type=nfs,target=/d'], /type "nfs" is not supported/],
    [['--mount', 'type=bind,target=/d'], /a bind mount needs source/],
    [['--mount', 'type=volume,src=v'], /target is required/],
    [['--mount', 'type=volume,target=/d,bogus=1'], /unknown field "bogus"/],
    [['-v', 'a:/d', '-v', 'b:/d/'], /Duplicate mount point: \/d/],
    [['-v', 'b@d:/d'], /includes invalid characters for a local volume name/],
  ])('%j is refused with a clear error', (flags, message) => {
    const r = d.berth(['run', '--rm', ...(flags as string[]), 'busybox', 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('volume commands report unknown volumes, drivers and options', () => {
    let r = d.berth(['volume', 'inspect', 'nosuch']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no such volume/);
    r = d.berth(['volume', 'rm', 'nosuch']);
    expect(r.stderr).toMatch(/no such volume/);
    expect(d.berth(['volume', 'rm', '-f', 'nosuch']).code).toBe(0);
    r = d.berth(['volume', 'create', '-d', 'nfs', 'x1']);
    expect(r.stderr).toMatch(/volume driver "nfs" is not supported/);
    r = d.berth(['volume', 'create', '-o', 'size=1', 'x2']);
    expect(r.stderr).toMatch(/invalid option key: "size"/);
    expect(d.berth(['volume', 'ls', '-q']).stdout).toBe('');
  });

  it('a failed create leaves no volume behind', () => {
    ok(d.berth(['create', '--name', 'taken', 'busybox', 'true']));
    const r = d.berth(['create', '--name', 'taken', '-v', 'orphan:/d', 'busybox', 'true']);
    expect(r.code).toBe(125);
    expect(d.berth(['volume', 'ls', '-q']).stdout).toBe('');
    ok(d.berth(['rm', 'taken']));
  });
});
