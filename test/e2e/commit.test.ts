// commit end to end: a container's changes become an image layer (OCI
// whiteouts included) with config changes and a history entry; the image
// runs, and it pushes to a real registry and pulls back intact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { inspectContainer, loadBusybox, ok } from '../fixtures/e2e-helpers.js';
import { startRegistry, type TestRegistry } from '../fixtures/registry.js';

let d: TestDaemon;
let reg: TestRegistry;
const cfgDir = mkdtempSync(join(tmpdir(), 'berth-commit-config-'));

function imageInspect(name: string): Record<string, any> {
  return JSON.parse(ok(d.berth(['image', 'inspect', name])))[0];
}

beforeAll(async () => {
  process.env.BERTH_CONFIG = cfgDir;
  [d, reg] = await Promise.all([startDaemon(), startRegistry()]);
  loadBusybox(d);
  ok(d.berth(['run', '-d', '--name', 'work', '-e', 'FROM_RUN=1', 'busybox', 'sh', '-c',
    'echo made > /made.txt && rm /bin/vi && mkdir -p /etc/opq && rm -rf /home && mkdir /home && echo new > /home/only && touch /ready && exec sleep 1000']));
  for (let i = 0; i < 200 && d.berth(['exec', 'work', 'test', '-e', '/ready']).code !== 0; i++) await new Promise((r) => setTimeout(r, 50));
});

afterAll(async () => {
  delete process.env.BERTH_CONFIG;
  await d?.stop();
  await reg?.stop();
  rmSync(cfgDir, { recursive: true, force: true });
});

describe('commit', () => {
  it('makes an image of a running container with message, author and changes; the container keeps running', () => {
    const id = ok(d.berth(['commit', '-m', 'first commit', '-a', 'Tester <t@example.com>',
      '-c', 'CMD ["cat", "/made.txt"]', '-c', 'ENV GREETING=hi', '-c', 'LABEL purpose=test', '-c', 'WORKDIR /etc',
      '-c', 'EXPOSE 8080', '-c', 'USER 0', 'work', 'committed:v1'])).trim();
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(inspectContainer(d, 'work').State.Running).toBe(true);
    const img = imageInspect('committed:v1');
    expect(img.Id).toBe(id);
    expect(img.Author).toBe('Tester <t@example.com>');
    expect(img.Comment).toBe('first commit');
    expect(img.Config.Cmd).toEqual(['cat', '/made.txt']);
    expect(img.Config.Env).toEqual(expect.arrayContaining(['GREETING=hi', 'FROM_RUN=1']));
    expect(img.Config.Labels).toEqual({ purpose: 'test' });
    expect(img.Config.WorkingDir).toBe('/etc');
    expect(img.Config.ExposedPorts).toEqual({ '8080/tcp': {} });
    expect(img.Config.User).toBe('0');
    expect(img.RootFS.Layers).toHaveLength(imageInspect('busybox').RootFS.Layers.length + 1);
    const history = ok(d.berth(['history', 'committed:v1'])).split('\n');
    expect(history[1]).toContain('first commit');
  });

  it('runs with the changes: added files, deleted files and replaced directories', () => {
    expect(ok(d.berth(['run', '--rm', 'committed:v1']))).toBe('made\n');
    const out = ok(d.berth(['run', '--rm', 'committed:v1', 'sh', '-c', 'echo $GREETING; pwd; test -e /bin/vi || echo no-vi; ls /home']));
    expect(out).toBe('hi\n/etc\nno-vi\nonly\n');
  });

  it('writes OCI whiteouts in the layer, pushes, and pulls back intact', () => {
    const img = imageInspect('committed:v1');
    const top = img.RootFS.Layers[img.RootFS.Layers.length - 1] as string;
    const names = execFileSync('tar', ['-tf', join(d.root, 'content', 'blobs', 'sha256', top.slice(7))], { encoding: 'utf8' }).split('\n');
    expect(names).toEqual(expect.arrayContaining(['bin/.wh.vi', 'made.txt']));
    expect(names.some((n) => n === 'home/.wh..wh..opq')).toBe(true);
    const remote = `${reg.host}/fsops/committed:v1`;
    ok(d.berth(['tag', 'committed:v1', remote]));
    ok(d.berth(['push', remote]));
    ok(d.berth(['rmi', remote, 'committed:v1']));
    ok(d.berth(['pull', remote]));
    expect(imageInspect(remote).Id).toBe(img.Id);
    expect(ok(d.berth(['run', '--rm', remote]))).toBe('made\n');
  });

  it('commits a stopped container without a name (a dangling image) and with --pause=false', () => {
    ok(d.berth(['run', '--name', 'done', 'busybox', 'sh', '-c', 'echo later > /later.txt']));
    const id = ok(d.berth(['commit', '--pause=false', 'done'])).trim();
    expect(id).toMatch(/^sha256:/);
    expect(ok(d.berth(['run', '--rm', id.slice(7, 19), 'cat', '/later.txt']))).toBe('later\n');
  });

  it('reports bad input clearly', () => {
    const ghost = d.berth(['commit', 'ghost']);
    expect(ghost.code).toBe(1);
    expect(ghost.stderr).toMatch(/No such container: ghost/);
    const bad = d.berth(['commit', '-c', 'FROM busybox', 'work']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/invalid --change "FROM busybox"/);
    const badName = d.berth(['commit', 'work', 'Bad:Name:x']);
    expect(badName.code).toBe(1);
    expect(badName.stderr).not.toMatch(/at .*\.js/);
  });
});
