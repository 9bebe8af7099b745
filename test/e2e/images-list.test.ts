// `images` (filters, --format, --digests), `image inspect` and `history`,
// end to end against a real daemon and a real registry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type TestDaemon } from '../fixtures/daemon.js';
import { startRegistry, type TestRegistry } from '../fixtures/registry.js';
import { pushBusybox, type BusyboxLayout } from '../fixtures/busybox-image.js';
import { buildTinyImageArchive, type TinyImage } from '../image/tiny-image.js';

let d: TestDaemon;
let registry: TestRegistry;
let work: string;
let pushed: BusyboxLayout;
let old: TinyImage;
let mid: TinyImage;
let dangling: TinyImage;

function ok(args: string[]): string {
  const r = d.berth(args);
  expect(r.stderr, `berth ${args.join(' ')}`).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'berth-images-ls-'));
  registry = await startRegistry();
  pushed = await pushBusybox(registry.host);
  d = await startDaemon();
  ok(['pull', `${registry.host}/busybox`]);
  old = await buildTinyImageArchive(join(work, 'old.tar'), { name: 'docker.io/library/app:old', created: '2023-01-01T00:00:00Z', labels: { tier: 'web', team: 'a' }, file: { path: 'old', content: 'old' } });
  mid = await buildTinyImageArchive(join(work, 'mid.tar'), { name: 'docker.io/acme/app:mid', created: '2023-06-01T00:00:00Z', labels: { tier: 'db' }, file: { path: 'mid', content: 'mid' } });
  dangling = await buildTinyImageArchive(join(work, 'none.tar'), { created: '2023-03-01T00:00:00Z', file: { path: 'none', content: 'none' } });
  for (const f of ['old.tar', 'mid.tar', 'none.tar']) ok(['load', '-i', join(work, f)]);
  ok(['tag', 'app:old', 'app:also']);
});

afterAll(async () => {
  await d?.stop();
  await registry?.stop();
  rmSync(work, { recursive: true, force: true });
});

const fmt = ['--format', '{{.Repository}}:{{.Tag}}'];

describe('images', () => {
  it('lists one row per tag, untagged images as <none>, newest first', () => {
    const rows = ok(['images', ...fmt]).trim().split('\n');
    // busybox (2024) first, then mid (2023-06), dangling (2023-03), old (2023-01, two tags)
    expect(rows.slice(0, 3)).toEqual([`${registry.host}/busybox:latest`, 'acme/app:mid', '<none>:<none>']);
    expect(rows.slice(3).sort()).toEqual(['app:also', 'app:old']);
    const table = ok(['image', 'ls']);
    expect(table.split('\n')[0]).toMatch(/^REPOSITORY\s+TAG\s+IMAGE ID\s+CREATED\s+SIZE$/);
    expect(table).toMatch(new RegExp(`<none>\\s+<none>\\s+${dangling.id.slice(7, 19)}\\s+`));
    expect(ok(['images', '-a', '-q'])).toBe(ok(['images', '-q']));
  });

  it('filters: dangling, reference globs, labels, before, since', () => {
    expect(ok(['images', '-q', '--no-trunc', '-f', 'dangling=true'])).toBe(`${dangling.id}\n`);
    expect(ok(['images', ...fmt, '-f', 'dangling=false']).trim().split('\n')).toHaveLength(4);
    expect(ok(['images', ...fmt, '-f', 'reference=app'])).toMatch(/^app:(old|also)\napp:(old|also)\n$/);
    expect(ok(['images', ...fmt, '-f', 'reference=app:al*'])).toBe('app:also\n');
    expect(ok(['images', ...fmt, '-f', 'reference=*/app'])).toBe('acme/app:mid\n');
    expect(ok(['images', ...fmt, '-f', 'reference=*/busy*'])).toBe(`${registry.host}/busybox:latest\n`);
    expect(ok(['images', ...fmt, '-f', 'label=tier'])).toMatch(/^acme\/app:mid\napp:(old|also)\napp:(old|also)\n$/);
    expect(ok(['images', ...fmt, '-f', 'label=tier=db'])).toBe('acme/app:mid\n');
    expect(ok(['images', ...fmt, '-f', 'label=tier', '-f', 'label=team=a', '-f', 'reference=app:old'])).toBe('app:old\n');
    expect(ok(['images', ...fmt, '-f', 'before=acme/app:mid'])).toMatch(/^<none>:<none>\napp:(old|also)\napp:(old|also)\n$/);
    expect(ok(['images', ...fmt, '-f', `since=${dangling.id.slice(7, 19)}`])).toBe(`${registry.host}/busybox:latest\nacme/app:mid\n`);
  });

  it('rejects bad filters with a clear message', () => {
    let r = d.berth(['images', '-f', 'color=red']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("berth: Error response from daemon: invalid filter 'color=red': expected KEY=VALUE with KEY one of dangling, reference, label, before, since\n");
    r = d.berth(['images', '-f', 'dangling=maybe']);
    expect(r.stderr).toContain("invalid filter 'dangling=maybe'");
    r = d.berth(['images', '-f', 'before=nosuch:image']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('No such image: nosuch:image');
  });

  it('formats with Go templates, table and json; shows digests', () => {
    const id = old.id.slice(7, 19);
    expect(ok(['images', '--format', '{{.ID}} {{.Size}} {{.CreatedSince}}', '-f', 'reference=app:old'])).toMatch(new RegExp(`^${id} \\d+(\\.\\d+)?[kM]?B \\d+ (months|years) ago\\n$`));
    const table = ok(['images', '--format', 'table {{.Repository}}\\t{{.Tag}}', '-f', 'reference=acme/*']);
    expect(table).toBe('REPOSITORY   TAG\nacme/app     mid\n');
    const json = JSON.parse(ok(['images', '--format', 'json', '-f', 'reference=acme/app']).trim()) as Record<string, string>;
    expect(json).toMatchObject({ Repository: 'acme/app', Tag: 'mid', ID: mid.id.slice(7, 19), Digest: '<none>', CreatedAt: '2023-06-01 00:00:00 +0000 UTC' });
    const digests = ok(['images', '--digests', '-f', `reference=${registry.host}/busybox`]);
    expect(digests.split('\n')[0]).toMatch(/^REPOSITORY\s+TAG\s+DIGEST\s+IMAGE ID\s+CREATED\s+SIZE$/);
    expect(digests).toContain(pushed.manifest.digest);
    expect(ok(['images', '--format', '{{.Digest}}', '-f', `reference=${registry.host}/busybox`])).toBe(`${pushed.manifest.digest}\n`);
    const r = d.berth(['images', '--format', '{{.Nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('template parsing error');
  });
});

describe('image inspect', () => {
  it('prints Docker-shaped JSON', () => {
    const [img] = JSON.parse(ok(['image', 'inspect', 'app:old'])) as Array<Record<string, any>>;
    expect(img.Id).toBe(old.id);
    expect(img.RepoTags.sort()).toEqual(['app:also', 'app:old']);
    expect(img.RepoDigests).toEqual([]);
    expect(img.Created).toBe('2023-01-01T00:00:00Z');
    expect(img.Architecture).toBe('amd64');
    expect(img.Os).toBe('linux');
    expect(img.Size).toBeGreaterThan(0);
    expect(img.Config).toMatchObject({ Cmd: ['sh'], Entrypoint: null, WorkingDir: '/', Labels: { tier: 'web', team: 'a' }, ExposedPorts: { '80/tcp': {} } });
    expect(img.RootFS).toEqual({ Type: 'layers', Layers: old.diffIds });
    expect(img.Metadata).toHaveProperty('LastTagTime');
    const [pulled] = JSON.parse(ok(['image', 'inspect', `${registry.host}/busybox`])) as Array<Record<string, any>>;
    expect(pulled.RepoDigests).toEqual([`${registry.host}/busybox@${pushed.manifest.digest}`]);
  });

  it('renders --format templates', () => {
    expect(ok(['image', 'inspect', '--format', '{{.Id}}', 'acme/app:mid'])).toBe(`${mid.id}\n`);
    expect(ok(['image', 'inspect', '-f', '{{json .Config.Labels}}', 'acme/app:mid'])).toBe('{"tier":"db"}\n');
    expect(ok(['image', 'inspect', '-f', '{{index .RepoTags 0}} {{.Config.Cmd}} {{len .RootFS.Layers}}', 'acme/app:mid'])).toBe('acme/app:mid [sh] 2\n');
    expect(ok(['image', 'inspect', '-f', '{{range .Config.Env}}{{.}};{{end}}', 'acme/app:mid'])).toBe('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin;\n');
    expect(ok(['image', 'inspect', '-f', '{{index .Config.Labels "tier"}}', 'acme/app:mid'])).toBe('db\n');
  });

  it('reports missing images and still prints the others', () => {
    const r = d.berth(['image', 'inspect', '-f', '{{.Id}}', 'nosuch', 'acme/app:mid']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('berth: Error response from daemon: No such image: nosuch\n');
    expect(r.stdout).toBe(`${mid.id}\n`);
    const e = d.berth(['image', 'inspect', '-f', '{{index .RepoTags 5}}', 'acme/app:mid']);
    expect(e.code).toBe(1);
    expect(e.stderr).toContain('index out of range');
  });
});

describe('history', () => {
  it('shows the config history newest first, with layer sizes', () => {
    const out = ok(['history', 'acme/app:mid']).split('\n');
    expect(out[0]).toMatch(/^IMAGE\s+CREATED\s+CREATED BY\s+SIZE\s+COMMENT$/);
    expect(out[1]).toMatch(new RegExp(`^${mid.id.slice(7, 19)}\\s+.* ago\\s+/bin/sh -c #\\(nop\\)  CMD \\["sh"\\]\\s+0B\\s*$`));
    expect(out[2]).toMatch(/^<missing>\s+.* ago\s+\/bin\/sh -c echo mid > mid\s+\d+(\.\d+)?k?B\s+tiny layer$/);
    expect(out[3]).toMatch(/^<missing>\s+.* ago\s+busybox base layer\s+\d+(\.\d+)?MB\s*$/);
    expect(ok(['history', '-q', 'acme/app:mid'])).toBe(`${mid.id.slice(7, 19)}\n`);
    expect(ok(['image', 'history', '-q', '--no-trunc', 'acme/app:mid'])).toBe(`${mid.id}\n`);
    expect(ok(['history', '--format', '{{.ID}}|{{.CreatedBy}}', 'acme/app:mid']).split('\n')[1]).toBe('<missing>|/bin/sh -c echo mid > mid');
    const r = d.berth(['history', 'nosuch']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('berth: Error response from daemon: No such image: nosuch\n');
  });
});
