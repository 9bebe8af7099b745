// Bad input and failing setup: clear message, exit 1, nothing left behind.
import { chmodSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Sandbox, leftovers } from './bundle.js';

let sb: Sandbox;
beforeAll(() => { sb = new Sandbox(); });
afterEach(async () => { await sb.cleanup(); });
afterAll(() => sb.destroy());

function createFails(id: string, bundle: string, message: RegExp, extra: string[] = []) {
  sb.ids.add(id);
  const r = sb.rt([...extra, 'create', '--bundle', bundle, id]);
  expect(r.code, r.err).toBe(1);
  expect(r.err).toMatch(message);
  expect(leftovers(sb, id)).toEqual([]);
  return r;
}

describe('berth-runtime errors', () => {
  it('fails create when the command is not in the container PATH, and logs it as JSON', () => {
    const log = join(sb.dir, 'nope.log');
    const r = createFails('e-nope', sb.bundle('e-nope', ['nope']), /exec: "nope": executable file not found in \$PATH/,
      ['--log', log, '--log-format', 'json']);
    expect(r.err.trim().split('\n')).toHaveLength(1);
    const last = JSON.parse(readFileSync(log, 'utf8').trim().split('\n').pop()!);
    expect(last.level).toBe('error');
    expect(last.msg).toContain('exec: "nope": executable file not found in $PATH');
    expect(new Date(last.time).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });

  it('fails create with permission denied for a non-executable command', () => {
    const own = new Sandbox();
    try {
      writeFileSync(join(own.rootfs, 'bin/notexec'), '#!/bin/sh\necho hi\n');
      chmodSync(join(own.rootfs, 'bin/notexec'), 0o644);
      own.ids.add('e-perm');
      let r = own.rt(['create', '--bundle', own.bundle('e-perm', ['notexec']), 'e-perm']);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/exec: "notexec": permission denied/);
      r = own.rt(['create', '--bundle', own.bundle('e-perm', ['/etc/passwd']), 'e-perm']);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/exec: "\/etc\/passwd": permission denied/);
      r = own.rt(['create', '--bundle', own.bundle('e-perm', ['/no/such']), 'e-perm']);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/exec: "\/no\/such": stat \/no\/such: no such file or directory/);
      expect(leftovers(own, 'e-perm')).toEqual([]);
    } finally {
      own.destroy();
    }
  });

  it('rejects a bundle without config.json', () => {
    const dir = join(sb.dir, 'empty-bundle');
    mkdirSync(dir, { recursive: true });
    createFails('e-noconfig', dir, /has no config\.json/);
  });

  it('rejects malformed config.json with line and column', () => {
    const dir = sb.bundle('e-bad', ['true']);
    writeFileSync(join(dir, 'config.json'), '{"ociVersion": "1.0.2",\n  "process": {,}\n}');
    createFails('e-bad', dir, /invalid JSON at line 2 column \d+/);
  });

  it('rejects an unknown namespace type', () => {
    createFails('e-ns', sb.bundle('e-ns', ['true'], (c) => c.linux.namespaces.push({ type: 'bogus' })),
      /unknown namespace type "bogus"/);
  });

  it('rejects a non-existent bundle', () => {
    createFails('e-nobundle', join(sb.dir, 'does-not-exist'), /bundle .*does-not-exist is not a directory/);
  });

  it('rejects a duplicate id and leaves the existing container alone', () => {
    const id = 'e-dup';
    sb.ids.add(id);
    expect(sb.rt(['create', '--bundle', sb.bundle(id, ['true']), id]).code).toBe(0);
    const r = sb.rt(['create', '--bundle', sb.bundle(id, ['true']), id]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/container with id "e-dup" already exists/);
    expect(sb.state(id).status).toBe('created');
    expect(sb.rt(['delete', id]).code).toBe(0);
    expect(leftovers(sb, id)).toEqual([]);
  });

  it('rejects unsupported fields clearly', () => {
    createFails('e-rdt', sb.bundle('e-rdt', ['true'], (c) => { c.linux.intelRdt = { closID: 'x' }; }),
      /linux\.intelRdt is not supported yet/);
    createFails('e-tty', sb.bundle('e-tty', ['true'], (c) => { c.process.terminal = true; }),
      /process\.terminal is true: pass --console-socket PATH/);
    createFails('e-net', sb.bundle('e-net', ['true'], (c) => { c.linux.resources.network = { classID: 7 }; }),
      /linux\.resources\.network is not supported yet/);
    createFails('e-blkio', sb.bundle('e-blkio', ['true'], (c) => { c.linux.resources.blockIO = { weight: 5 }; }),
      /linux\.resources\.blockIO\.weight 5 is out of range: use 10 to 1000/);
    createFails('e-blkleaf', sb.bundle('e-blkleaf', ['true'], (c) => { c.linux.resources.blockIO = { leafWeight: 300 }; }),
      /linux\.resources\.blockIO\.leafWeight is not supported/);
    createFails('e-blkdev', sb.bundle('e-blkdev', ['true'], (c) => { c.linux.resources.blockIO = { throttleReadBpsDevice: [{ rate: 1 }] }; }),
      /linux\.resources\.blockIO\.throttleReadBpsDevice\[0\] needs the device's major and minor numbers/);
    createFails('e-huge', sb.bundle('e-huge', ['true'], (c) => { c.linux.resources.hugepageLimits = [{ limit: 1 }]; }),
      /linux\.resources\.hugepageLimits\[0\]\.pageSize must be a huge page size like "2MB"/);
    // ... but a kind that asks for nothing (Docker sends "blockIO": {"weight": 0}) is accepted.
    const r = sb.run('e-blkio0', ['true'], (c) => { c.linux.resources.blockIO = { weight: 0 }; c.linux.resources.hugepageLimits = []; });
    expect(r.code, r.err).toBe(0);
  });

  it('names the rlimit when raising a hard limit is refused', () => {
    const hard = Number(readFileSync('/proc/self/limits', 'utf8').match(/Max open files\s+\d+\s+(\d+)/)![1]);
    const r = createFails('e-rlimit', sb.bundle('e-rlimit', ['true'], (c) => {
      c.process.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: hard + 1 }];
    }), /RLIMIT_NOFILE/);
    const capBnd = BigInt('0x' + readFileSync('/proc/self/status', 'utf8').match(/CapBnd:\s*(\w+)/)![1]);
    if (!(capBnd & (1n << 24n))) expect(r.err).toMatch(/needs CAP_SYS_RESOURCE/);
  });

  it('rejects a mount destination that escapes the rootfs through a symlink', () => {
    const own = new Sandbox();
    try {
      symlinkSync('../../../../../../../etc', join(own.rootfs, 'escape'));
      own.ids.add('e-escape');
      const r = own.rt(['create', '--bundle', own.bundle('e-escape', ['true'], (c) => {
        c.mounts.push({ destination: '/escape/berth-test', type: 'tmpfs', source: 'tmpfs', options: [] });
      }), 'e-escape']);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/escapes the container rootfs/);
      expect(existsSync('/etc/berth-test')).toBe(false);
      expect(leftovers(own, 'e-escape')).toEqual([]);
    } finally {
      own.destroy();
    }
  });

  it('rejects bad ids, signals and commands', () => {
    let r = sb.rt(['create', '--bundle', sb.bundle('x', ['true']), '../evil']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/invalid container id/);
    r = sb.rt(['kill', 'whatever', 'SIGNOPE']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/unknown signal "SIGNOPE"/);
    r = sb.rt(['frobnicate']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/unknown command "frobnicate"/);
    r = sb.rt(['start', 'missing']);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/container "missing" does not exist/);
  });

  it('spec writes a config.json that run accepts, features describes the runtime', () => {
    const dir = join(sb.dir, 'spec-bundle');
    mkdirSync(dir, { recursive: true });
    expect(sb.rt(['spec'], { cwd: dir }).code).toBe(0);
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(cfg.process.args).toEqual(['sh']);
    cfg.root.path = sb.rootfs;
    cfg.process.args = ['sh', '-c', 'exit 7'];
    writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
    sb.ids.add('spec-run');
    expect(sb.rt(['run', '--bundle', dir, 'spec-run']).code).toBe(7);
    expect(sb.rt(['spec', '--bundle', dir]).code).toBe(1); // refuses to overwrite
    const f = JSON.parse(sb.rt(['features']).out);
    expect(f.linux.namespaces).toContain('pid');
    expect(f.linux.capabilities).toContain('CAP_CHOWN');
    expect(f.linux.seccomp.enabled).toBe(true);
    expect(f.hooks).toEqual(['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop']);
  });

  it('spec --rootless writes the unprivileged variant, and run accepts it', () => {
    const dir = join(sb.dir, 'rootless-bundle');
    mkdirSync(dir, { recursive: true });
    expect(sb.rt(['spec', '--rootless', '--bundle', dir]).code).toBe(0);
    const cfg = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    const types = cfg.linux.namespaces.map((n: { type: string }) => n.type);
    expect(types).toContain('user');
    expect(types).not.toContain('network');
    expect(cfg.linux.uidMappings).toEqual([{ containerID: 0, hostID: process.geteuid!(), size: 1 }]);
    expect(cfg.linux.gidMappings).toEqual([{ containerID: 0, hostID: process.getegid!(), size: 1 }]);
    expect(cfg.linux.resources).toBeUndefined();
    const byDest = new Map(cfg.mounts.map((m: { destination: string }) => [m.destination, m]));
    expect(byDest.get('/sys')).toMatchObject({ type: 'none', source: '/sys', options: expect.arrayContaining(['rbind', 'ro']) });
    expect(byDest.has('/sys/fs/cgroup')).toBe(false);
    expect((byDest.get('/dev/pts') as { options: string[] }).options).not.toContain('gid=5');
    cfg.root.path = sb.rootfs;
    // inside: root of a user namespace whose only id is the caller's, on the host's network
    cfg.process.args = ['sh', '-c', 'cat /proc/self/uid_map; readlink /proc/self/ns/net'];
    writeFileSync(join(dir, 'config.json'), JSON.stringify(cfg));
    sb.ids.add('rootless-run');
    const r = sb.rt(['run', '--bundle', dir, 'rootless-run']);
    expect(r.code).toBe(0);
    const [uidMap, netns] = r.out.trim().split('\n');
    expect(uidMap.trim().split(/\s+/)).toEqual(['0', String(process.geteuid!()), '1']);
    expect(netns).toBe(readlinkSync('/proc/self/ns/net'));
  });
});
