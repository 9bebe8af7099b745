import { describe, expect, it } from 'vitest';
import { humanDuration, timeAgo } from '../../cli/format/duration.js';
import { humanSize } from '../../cli/format/size.js';
import { shortId } from '../../cli/format/ids.js';
import { ellipsis, goQuote, psCommand } from '../../cli/format/ellipsis.js';
import { formatTable } from '../../cli/format/table.js';
import { splitRepoTag, withDefaultTag } from '../../cli/format/references.js';
import { imageIds, imageTable } from '../../cli/format/image-table.js';
import { containerIds, containerTable } from '../../cli/format/container-table.js';
import { ProgressRenderer, progressLine } from '../../cli/format/progress.js';
import { osArch } from '../../cli/format/platform.js';
import type { ContainerSummary, ImageSummary } from '../../src/protocol/methods.js';

const S = 1000, M = 60 * S, H = 60 * M, D = 24 * H;

describe('human durations (Docker/go-units boundaries)', () => {
  it.each([
    [0, 'Less than a second'], [999, 'Less than a second'], [1 * S, '1 second'], [1999, '1 second'],
    [2 * S, '2 seconds'], [59 * S + 999, '59 seconds'], [60 * S, 'About a minute'], [119 * S, 'About a minute'],
    [2 * M, '2 minutes'], [59 * M + 59 * S, '59 minutes'], [60 * M, 'About an hour'], [89 * M, 'About an hour'],
    [90 * M, '2 hours'], [47 * H, '47 hours'], [47 * H + 31 * M, '2 days'], [48 * H, '2 days'], [13 * D, '13 days'],
    [14 * D, '2 weeks'], [59 * D, '8 weeks'], [60 * D, '2 months'], [729 * D, '24 months'], [730 * D, '2 years'],
    [3650 * D, '10 years'],
  ])('%d ms → %s', (ms, text) => {
    expect(humanDuration(ms)).toBe(text);
  });

  it('timeAgo appends "ago" and shows N/A for missing or bad timestamps', () => {
    const now = Date.parse('2024-05-01T12:00:00Z');
    expect(timeAgo('2024-05-01T10:00:00Z', now)).toBe('2 hours ago');
    expect(timeAgo('2024-05-01T12:00:05Z', now)).toBe('Less than a second ago');
    expect(timeAgo(null, now)).toBe('N/A');
    expect(timeAgo('yesterday-ish', now)).toBe('N/A');
    expect(timeAgo('1970-01-01T00:00:00Z', now)).toBe('N/A');
  });
});

describe('human sizes (decimal units, 4 significant digits)', () => {
  it.each([
    [0, '0B'], [999, '999B'], [1000, '1kB'], [1234, '1.234kB'], [12345, '12.35kB'], [4_260_000, '4.26MB'],
    [4_261_234, '4.261MB'], [999_999, '1000kB'], [1_000_000, '1MB'], [1_500_000_000, '1.5GB'], [2e12, '2TB'],
  ])('%d bytes → %s', (bytes, text) => {
    expect(humanSize(bytes)).toBe(text);
  });
});

describe('ids and references', () => {
  it('short ids drop the algorithm and keep 12 hex chars', () => {
    expect(shortId('sha256:0123456789abcdef0123')).toBe('0123456789ab');
    expect(shortId('0123456789abcdef0123')).toBe('0123456789ab');
    expect(shortId('abc')).toBe('abc');
  });

  it('splits repository and tag the way Docker does', () => {
    expect(splitRepoTag('busybox:latest')).toEqual({ repository: 'busybox', tag: 'latest' });
    expect(splitRepoTag('localhost:5000/team/app:1.2')).toEqual({ repository: 'localhost:5000/team/app', tag: '1.2' });
    expect(splitRepoTag('localhost:5000/team/app')).toEqual({ repository: 'localhost:5000/team/app', tag: 'latest' });
    expect(splitRepoTag('busybox@sha256:abc')).toEqual({ repository: 'busybox', tag: '<none>' });
    expect(withDefaultTag('busybox')).toBe('busybox:latest');
    expect(withDefaultTag('localhost:5000/app')).toBe('localhost:5000/app:latest');
    expect(withDefaultTag('busybox:1.36')).toBe('busybox:1.36');
  });

  it('maps node arch names to Docker names', () => {
    expect(osArch('linux', 'x64')).toBe('linux/amd64');
    expect(osArch('linux', 'arm64')).toBe('linux/arm64');
    expect(osArch('linux', 'amd64')).toBe('linux/amd64');
  });
});

describe('ps COMMAND column', () => {
  it('short commands are quoted untouched', () => {
    expect(psCommand('sh', true)).toBe('"sh"');
    expect(psCommand('12345678901234567890', true)).toBe('"12345678901234567890"');
  });

  it('longer than 20 characters: 19 characters and an ellipsis, then quoted', () => {
    expect(psCommand('123456789012345678901', true)).toBe('"1234567890123456789…"');
    expect(psCommand("sh -c 'while true; do sleep 1; done'", true)).toBe('"sh -c \'while true; …"');
    expect(psCommand("sh -c 'while true; do sleep 1; done'", false)).toBe('"sh -c \'while true; do sleep 1; done\'"');
  });

  it('escapes quotes, backslashes and control characters like Go', () => {
    expect(goQuote('echo "hi"\\n\n\x01')).toBe('"echo \\"hi\\"\\\\n\\n\\x01"');
    expect(ellipsis('héllo wörld', 5)).toBe('héll…');
    expect(ellipsis('abc', 1)).toBe('…');
  });
});

describe('tables', () => {
  it('pads columns to max(width + 3, 10), last column unpadded', () => {
    expect(formatTable(['A', 'LONGER HEADER'], [['x', 'y'], ['a very long cell', 'z']])).toBe(
      'A                  LONGER HEADER\n' +
      'x                  y\n' +
      'a very long cell   z\n');
  });

  const now = Date.parse('2024-05-01T12:00:00Z');
  const images: ImageSummary[] = [
    { id: 'sha256:a416a98b71e224a31ee99cff8e16063554498227d2b696152a9c3e0aa65e5824', repoTags: ['busybox:latest', 'busybox:1.36'],
      repoDigests: [], created: '2024-05-01T10:00:00Z', size: 4_261_234 },
    { id: 'sha256:ffff6b1b4db0bb1a1b1c1d1e1f10111213141516171819202122232425262728', repoTags: [], repoDigests: [], created: null, size: 999 },
  ];

  it('images: one row per tag, <none> for untagged, short id, human time and size', () => {
    expect(imageTable(images, true, now)).toBe(
      'REPOSITORY   TAG       IMAGE ID       CREATED       SIZE\n' +
      'busybox      latest    a416a98b71e2   2 hours ago   4.261MB\n' +
      'busybox      1.36      a416a98b71e2   2 hours ago   4.261MB\n' +
      '<none>       <none>    ffff6b1b4db0   N/A           999B\n');
    expect(imageIds(images)).toBe('a416a98b71e2\na416a98b71e2\nffff6b1b4db0\n');
  });

  it('ps: Docker columns, truncated quoted command, status from the daemon', () => {
    const c: ContainerSummary = {
      id: '3f4e5d6c7b8a99887766554433221100ffeeddccbbaa99887766554433221100', name: '/web', image: 'busybox',
      command: "sh -c 'while true; do sleep 1; done'", created: '2024-05-01T11:59:00Z', state: 'running',
      status: 'Up 58 seconds', exitCode: null, startedAt: null, finishedAt: null,
    };
    expect(containerTable([c], true, now)).toBe(
      'CONTAINER ID   IMAGE     COMMAND                  CREATED              STATUS          PORTS     NAMES\n' +
      '3f4e5d6c7b8a   busybox   "sh -c \'while true; …"   About a minute ago   Up 58 seconds             web\n');
    expect(containerIds([c])).toBe('3f4e5d6c7b8a\n');
    expect(containerIds([c], false)).toBe(`${c.id}\n`);
  });
});

describe('pull progress', () => {
  function sink() {
    const chunks: string[] = [];
    return { chunks, write: (s: string) => { chunks.push(s); return true; } };
  }

  it('formats status with decimal byte counts', () => {
    expect(progressLine({ kind: 'progress', id: 'a3ed95caeb02', status: 'Downloading', current: 1_200_000, total: 4_000_000 }))
      .toBe('a3ed95caeb02: Downloading 1.2MB/4MB');
    expect(progressLine({ kind: 'progress', id: 'a3ed95caeb02', status: 'Pull complete' })).toBe('a3ed95caeb02: Pull complete');
  });

  it('off a terminal prints one line per status change, not per byte update', () => {
    const out = sink();
    const r = new ProgressRenderer(out, false);
    r.render({ kind: 'status', message: 'latest: Pulling from library/busybox' });
    r.render({ kind: 'progress', id: 'l1', status: 'Pulling fs layer' });
    r.render({ kind: 'progress', id: 'l1', status: 'Downloading', current: 1000, total: 4000 });
    r.render({ kind: 'progress', id: 'l1', status: 'Downloading', current: 2000, total: 4000 });
    r.render({ kind: 'progress', id: 'l1', status: 'Verifying' });
    r.render({ kind: 'progress', id: 'l1', status: 'Extracting', current: 10, total: 40 });
    r.render({ kind: 'progress', id: 'l1', status: 'Pull complete' });
    expect(out.chunks.join('')).toBe(
      'latest: Pulling from library/busybox\nl1: Pulling fs layer\nl1: Downloading 1kB/4kB\nl1: Verifying\n' +
      'l1: Extracting 10B/40B\nl1: Pull complete\n');
    expect(r.transferred).toBe(true);
  });

  it('on a terminal rewrites each layer line in place', () => {
    const out = sink();
    const r = new ProgressRenderer(out, true);
    r.render({ kind: 'progress', id: 'l1', status: 'Pulling fs layer' });
    r.render({ kind: 'progress', id: 'l2', status: 'Pulling fs layer' });
    r.render({ kind: 'progress', id: 'l1', status: 'Downloading', current: 1000, total: 4000 });
    r.render({ kind: 'progress', id: 'l2', status: 'Pull complete' });
    expect(out.chunks).toEqual([
      'l1: Pulling fs layer\n',
      'l2: Pulling fs layer\n',
      '\x1b[2A\r\x1b[2Kl1: Downloading 1kB/4kB\r\x1b[2B',
      '\x1b[1A\r\x1b[2Kl2: Pull complete\r\x1b[1B',
    ]);
  });

  it('a pull that only finds existing layers is not a transfer', () => {
    const r = new ProgressRenderer(sink(), false);
    r.render({ kind: 'progress', id: 'l1', status: 'Already exists' });
    expect(r.transferred).toBe(false);
  });
});
