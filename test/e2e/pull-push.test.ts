// Distribution end to end: zstd and uncompressed layers, --platform, the
// daemon config file (mirrors, bad keys), push (chunked, mounts) and pulling
// it back, and logins against Basic and token-auth registries.
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { startRegistry, type TestRegistry } from '../fixtures/registry.js';
import { pushBusybox, pushBusyboxMultiPlatform, type MultiPlatformLayout } from '../fixtures/busybox-image.js';
import { startBasicRegistry, startTokenFront, type AuthRegistry } from '../fixtures/auth-registry.js';
import { pushLayeredImage } from '../registry/layered-image.js';

let a: TestRegistry;
let b: TestRegistry;
let daemon: TestDaemon;
let multi: MultiPlatformLayout;
const cfgDir = mkdtempSync(join(tmpdir(), 'berth-cli-config-'));

beforeAll(async () => {
  process.env.BERTH_CONFIG = cfgDir;
  [a, b] = await Promise.all([startRegistry(), startRegistry()]);
  multi = await pushBusyboxMultiPlatform(a.host);
  daemon = await startDaemon();
});

afterAll(async () => {
  delete process.env.BERTH_CONFIG;
  await daemon?.stop();
  await a?.stop();
  await b?.stop();
  rmSync(cfgDir, { recursive: true, force: true });
});

describe('layer formats and platforms', () => {
  it('pulls and runs zstd and uncompressed images', async () => {
    await pushLayeredImage(a.host, 'zst', [{ files: [{ name: 'z/data', size: 3_000_000, seed: 7 }] }], { compression: 'zstd' });
    await pushLayeredImage(a.host, 'plain', [{ files: [{ name: 'p/data', size: 500_000, seed: 8 }] }], { compression: 'none' });
    for (const [repo, file, size] of [['zst', '/z/data', 3_000_000], ['plain', '/p/data', 500_000]] as const) {
      const pull = daemon.berth(['pull', `${a.host}/${repo}`]);
      expect(pull.stderr).toBe('');
      expect(pull.code).toBe(0);
      const run = daemon.berth(['run', '--rm', `${a.host}/${repo}`, 'sh', '-c', `wc -c < ${file}`]);
      expect(run.stdout.trim()).toBe(String(size));
    }
  });

  it('--platform picks the matching index entry; a bad or missing platform is a clear error', () => {
    const arm = daemon.berth(['pull', '--platform', 'linux/arm64', `${a.host}/busybox-multi`]);
    expect(arm.code).toBe(0);
    expect(arm.stdout).toContain(`Digest: ${multi.arm64Manifest.digest}`);
    const bad = daemon.berth(['pull', '--platform', 'arm64', `${a.host}/busybox-multi`]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/invalid platform "arm64": expected os\/arch\[\/variant\]/);
    const none = daemon.berth(['pull', '--platform', 'linux/s390x', `${a.host}/busybox-multi`]);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/no matching manifest for linux\/s390x.*available platforms: linux\/arm64\/v8, linux\/amd64/);
  });
});

describe('push', () => {
  it('pushes to a second registry (chunked upload, then a cross-repo mount) and pulls back identical digests', async () => {
    const img = await pushLayeredImage(a.host, 'big', [{ files: [{ name: 'big/data', size: 9_500_000, seed: 9 }] }]);
    expect(daemon.berth(['pull', `${a.host}/big`]).code).toBe(0);
    expect(daemon.berth(['tag', `${a.host}/big`, `${b.host}/copy/big:v1`]).code).toBe(0);
    const push = daemon.berth(['push', `${b.host}/copy/big:v1`]);
    expect(push.stderr).toBe('');
    expect(push.code).toBe(0);
    expect(push.stdout).toContain(`The push refers to repository [${b.host}/copy/big]`);
    expect(push.stdout).toContain(`v1: digest: ${img.manifest.digest} size: ${img.manifest.size}`);
    expect(push.stdout).toMatch(/Pushed/);
    // a second repository on the same registry mounts the blobs instead of uploading them
    expect(daemon.berth(['tag', `${a.host}/big`, `${b.host}/other/big:v2`]).code).toBe(0);
    const mount = daemon.berth(['push', `${b.host}/other/big:v2`]);
    expect(mount.code).toBe(0);
    expect(mount.stdout).toMatch(/Mounted from copy\/big/);
    // pull back on a fresh daemon
    const fresh = await startDaemon();
    try {
      const back = fresh.berth(['pull', `${b.host}/copy/big:v1`]);
      expect(back.code).toBe(0);
      expect(back.stdout).toContain(`Digest: ${img.manifest.digest}`);
      const run = fresh.berth(['run', '--rm', `${b.host}/copy/big:v1`, 'sh', '-c', 'wc -c < /big/data']);
      expect(run.stdout.trim()).toBe('9500000');
    } finally {
      await fresh.stop();
    }
  });

  it('pushing an image that does not exist locally is a clear error', () => {
    const r = daemon.berth(['push', `${b.host}/nothing:here`]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/does not exist locally/);
  });
});

describe('daemon config file', () => {
  it('pulls docker.io images through a registry mirror', async () => {
    await pushBusybox(a.host, 'library/busybox');
    const cfg = join(cfgDir, 'daemon.json');
    writeFileSync(cfg, JSON.stringify({ 'registry-mirrors': [`http://${a.host}`], 'max-concurrent-downloads': 2 }));
    const d = await startDaemon(['--config-file', cfg]);
    try {
      const r = d.berth(['pull', 'busybox']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('Status: Downloaded newer image for busybox:latest');
    } finally {
      await d.stop();
    }
  });

  it('refuses to start on bad JSON or an unknown key, naming it', async () => {
    const cases: Array<[string, RegExp]> = [
      ['{"registry-mirrors": [', /not valid JSON/],
      ['{"registry-mirors": []}', /unknown key "registry-mirors"/],
      ['{"max-concurrent-downloads": 0}', /"max-concurrent-downloads" must be a whole number from 1 to 64/],
      ['{"insecure-registries": ["http://x"]}', /"insecure-registries" has "http:\/\/x"/],
    ];
    for (const [text, message] of cases) {
      const cfg = join(cfgDir, 'bad.json');
      writeFileSync(cfg, text);
      const err = await startDaemon(['--config-file', cfg]).then(async (d) => { await d.stop(); return ''; }, (e: Error) => e.message);
      expect(err).toMatch(message);
      expect(err).not.toMatch(/\n\s+at /);
    }
  });
});

describe('login', () => {
  let basic: AuthRegistry;
  let token: AuthRegistry & { expireTokens(): void };
  beforeAll(async () => {
    basic = await startBasicRegistry('alice', 's3cret');
    token = (await startTokenFront(a.host, 'bob', 'hunter2')) as AuthRegistry & { expireTokens(): void };
  });
  afterAll(async () => {
    await basic?.stop();
    await token?.stop();
  });

  it('basic auth: a wrong password is refused; login stores the credential (0600) and push/pull use it; logout forgets it', async () => {
    const wrong = daemon.berth(['login', '-u', 'alice', '--password-stdin', basic.host], { input: 'nope\n' });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/401/);
    const noLogin = daemon.berth(['pull', `${basic.host}/x`]);
    expect(noLogin.code).not.toBe(0);
    expect(noLogin.stderr).toMatch(/berth login/);
    const ok = daemon.berth(['login', '-u', 'alice', '--password-stdin', basic.host], { input: 's3cret\n' });
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toMatch(/Login Succeeded/);
    const file = join(cfgDir, 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).auths[basic.host].auth).toBe(Buffer.from('alice:s3cret').toString('base64'));
    expect(daemon.berth(['tag', `${a.host}/zst`, `${basic.host}/private/zst`]).code).toBe(0);
    const push = daemon.berth(['push', `${basic.host}/private/zst`]);
    expect(push.stderr).toBe('');
    expect(push.code).toBe(0);
    const fresh = await startDaemon();
    try {
      expect(fresh.berth(['pull', `${basic.host}/private/zst`]).code).toBe(0);
    } finally {
      await fresh.stop();
    }
    expect(daemon.berth(['logout', basic.host]).stdout).toMatch(/Removing login credentials/);
    expect(existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).auths[basic.host]).toBeFalsy();
  });

  it('token auth: the credential is exchanged for a token with the pull scope, and an expired token is refreshed', async () => {
    const anon = await daemon.berthAsync(['pull', `${token.host}/plain`]);
    expect(anon.code).not.toBe(0);
    expect(anon.stderr).toMatch(/berth login/);
    writeFileSync(join(cfgDir, 'config.json'), JSON.stringify({ auths: { [token.host]: { auth: Buffer.from('bob:hunter2').toString('base64') } } }), { mode: 0o600 });
    const r = await daemon.berthAsync(['pull', `${token.host}/zst`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(token.tokenRequests).toContain('bob repository:zst:pull');
    token.expireTokens();
    const again = await daemon.berthAsync(['pull', `${token.host}/busybox-multi`]);
    expect(again.code).toBe(0);
  });
});
