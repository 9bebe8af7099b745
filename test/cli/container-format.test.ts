// Output of ps --format, stats, top, events and the size units they use.
import { describe, expect, it } from 'vitest';
import { formatPs, psRow } from '../../cli/format/ps-format.js';
import { statsRow, statsTable } from '../../cli/format/stats-table.js';
import { topTable } from '../../cli/format/top-table.js';
import { dockerEvent, eventLine, fixedNanoTime } from '../../cli/format/event-line.js';
import { bytesSize, humanSizePrecision } from '../../cli/format/binary-size.js';
import { formatRows } from '../../cli/format/rows.js';
import type { ContainerSummary } from '../../src/protocol/methods.js';
import type { EngineEvent, StatsSample } from '../../src/protocol/container-methods.js';

const now = Date.parse('2026-11-28T04:00:00Z');
const web = {
  id: 'abcdef0123456789'.repeat(4), name: '/web', image: 'busybox', command: 'sleep 1000', created: '2026-11-28T01:00:00Z',
  state: 'running', status: 'Up 3 hours', exitCode: null, startedAt: '2026-11-28T01:00:00Z', finishedAt: null,
  labels: { tier: 'db', 'com.example': 'x' },
} as ContainerSummary;
const old = { ...web, id: '1234567890ab'.repeat(5) + 'cdef', name: 'old', image: 'sha256:' + 'e'.repeat(64), command: 'true', state: 'exited', status: 'Exited (0) 1 hour ago', labels: undefined } as unknown as ContainerSummary;

describe('ps --format', () => {
  it('default table matches Docker\'s columns', () => {
    const out = formatPs([web, old], { truncate: true, now }).split('\n');
    expect(out[0]).toBe('CONTAINER ID   IMAGE          COMMAND        CREATED       STATUS                  PORTS     NAMES');
    expect(out[1]).toBe('abcdef012345   busybox        "sleep 1000"   3 hours ago   Up 3 hours                        web');
    expect(out[2]).toBe('1234567890ab   eeeeeeeeeeee   "true"         3 hours ago   Exited (0) 1 hour ago             old');
  });

  it('-s adds SIZE (N/A until the daemon reports sizes)', () => {
    const out = formatPs([web], { truncate: true, size: true, now });
    expect(out.split('\n')[0]).toMatch(/NAMES     SIZE$/);
    expect(out.split('\n')[1]).toMatch(/web       N\/A$/);
    expect(psRow({ ...web, sizeRw: 1200, sizeRootFs: 4_260_000 } as ContainerSummary, { truncate: true, now }).Size).toBe('1.2kB (virtual 4.26MB)');
  });

  it('a plain template prints one line per container, no header', () => {
    expect(formatPs([web, old], { truncate: true, now, format: '{{.Names}}: {{.State}}' })).toBe('web: running\nold: exited\n');
    expect(formatPs([web], { truncate: false, now, format: '{{.ID}}' })).toBe(`${web.id}\n`);
  });

  it('table TEMPLATE gives a header row; \\t in the flag is a column break', () => {
    expect(formatPs([web], { truncate: true, now, format: 'table {{.Names}}\\t{{.Label "tier"}}\\t{{.Labels}}' }))
      .toBe('NAMES     LABEL     LABELS\nweb       db        com.example=x,tier=db\n');
  });

  it('json prints one object per line with Docker\'s field names (no methods)', () => {
    const line = JSON.parse(formatPs([web], { truncate: true, now, format: 'json' })) as Record<string, unknown>;
    expect(Object.keys(line).sort()).toEqual(['Command', 'CreatedAt', 'ID', 'Image', 'Labels', 'LocalVolumes', 'Mounts', 'Names', 'Networks', 'Ports', 'RunningFor', 'Size', 'State', 'Status']);
    expect(line).toMatchObject({ ID: 'abcdef012345', Names: 'web', Command: '"sleep 1000"', CreatedAt: '2026-11-28 01:00:00 +0000 UTC', RunningFor: '3 hours ago' });
  });

  it('a bad template is a clear error', () => {
    expect(() => formatPs([web], { truncate: true, format: '{{.Names' })).toThrow(/^template parsing error: .*unclosed action/);
  });

  it('formatRows with an empty list still prints a table header', () => {
    expect(formatRows([], 'table {{.A}}', { defaultTable: '', headers: { A: 'AAA' } })).toBe('AAA\n');
  });
});

describe('stats', () => {
  const sample: StatsSample = {
    id: 'f'.repeat(64), name: '/web', read: '2026-11-28T04:00:00Z', cpuPercent: 12.3456, memoryUsage: 1_572_864, memoryLimit: 8 * 1024 ** 3,
    memoryPercent: 0.0183, pids: 3, blockRead: 4_096_000, blockWrite: 0, netRx: 1234, netTx: 648,
  };

  it('formats each column as Docker does', () => {
    expect(statsRow(sample)).toEqual({
      ID: 'ffffffffffff', Container: 'ffffffffffff', Name: 'web', CPUPerc: '12.35%', MemUsage: '1.5MiB / 8GiB', MemPerc: '0.02%',
      NetIO: '1.23kB / 648B', BlockIO: '4.1MB / 0B', PIDs: '3',
    });
  });

  it('prints Docker\'s default table', () => {
    expect(statsTable([sample])).toBe(
      'CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O         BLOCK I/O    PIDS\n' +
      'ffffffffffff   web       12.35%    1.5MiB / 8GiB       0.02%     1.23kB / 648B   4.1MB / 0B   3\n');
  });

  it('honours --no-trunc and --format', () => {
    expect(statsTable([sample], { truncate: false, format: '{{.ID}} {{.CPUPerc}}' })).toBe(`${'f'.repeat(64)} 12.35%\n`);
  });

  it('sizes: binary for memory (BytesSize), 3-digit decimal for I/O', () => {
    expect([0, 1023, 1024, 1536, 10 * 1024 ** 2, 7.6 * 1024 ** 3].map(bytesSize)).toEqual(['0B', '1023B', '1KiB', '1.5KiB', '10MiB', '7.6GiB']);
    expect([0, 999, 1234, 12_345_678].map((n) => humanSizePrecision(n, 3))).toEqual(['0B', '999B', '1.23kB', '12.3MB']);
  });
});

describe('top', () => {
  it('columns at least 20 wide; extra cells join the last column', () => {
    expect(topTable({ titles: ['UID', 'PID', 'CMD'], processes: [['root', '42', 'sleep', '1000'], ['nobody', '7', 'sh']] })).toBe(
      'UID                 PID                 CMD\n' +
      'root                42                  sleep 1000\n' +
      'nobody              7                   sh\n');
  });
});

describe('events', () => {
  const ev: EngineEvent = {
    time: '2026-11-28T04:00:00.123456789Z', timeNano: 1795838400123456789, type: 'container', action: 'start',
    id: 'c'.repeat(64), attributes: { name: 'x', image: 'busybox' }, seq: 1,
  };

  it('Docker\'s line: fixed nanosecond time, type, action, id, sorted attributes', () => {
    expect(eventLine(ev)).toBe(`2026-11-28T04:00:00.123456789Z container start ${'c'.repeat(64)} (image=busybox, name=x)\n`);
    expect(eventLine({ ...ev, attributes: {} })).toBe(`2026-11-28T04:00:00.123456789Z container start ${'c'.repeat(64)}\n`);
  });

  it('pads short fractions to nine digits; falls back to timeNano', () => {
    expect(fixedNanoTime({ time: '2026-11-28T04:00:00.5Z', timeNano: 0 })).toBe('2026-11-28T04:00:00.500000000Z');
    expect(fixedNanoTime({ time: '2026-11-28T04:00:00Z', timeNano: 0 })).toBe('2026-11-28T04:00:00.000000000Z');
    expect(fixedNanoTime({ time: '', timeNano: 1_000_000_000_500 })).toBe('1970-01-01T00:16:40.000000500Z');
  });

  it('the --format object has Docker\'s fields', () => {
    expect(dockerEvent(ev)).toMatchObject({
      status: 'start', id: ev.id, from: 'busybox', Type: 'container', Action: 'start',
      Actor: { ID: ev.id, Attributes: { name: 'x', image: 'busybox' } }, scope: 'local', time: 1795838400,
    });
  });
});
