// Log drivers: local records (coalesced), Docker's json-file lines, none,
// and size-based rotation of both at record / line boundaries.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FRAME, Sandbox, decodeLog } from './helpers.js';

let box: Sandbox;

afterEach(async () => {
  await box?.cleanup();
});

const RFC3339_NANO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/;

interface JsonLine { log: string; stream: string; time: string }

function jsonLines(path: string): JsonLine[] {
  const text = readFileSync(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.slice(0, -1).split('\n').map((line) => {
    const obj = JSON.parse(line) as JsonLine;
    expect(Object.keys(obj)).toEqual(['log', 'stream', 'time']);
    expect(obj.time).toMatch(RFC3339_NANO);
    expect(obj.time).not.toMatch(/0Z$/); // trailing zeros of the fraction are dropped
    return obj;
  });
}

describe('berth-shim log drivers', () => {
  it('json-file writes one JSON object per line, escaped like Docker, partial lines held until the end', async () => {
    box = new Sandbox();
    box.makeBundle(['sh', '-c', `printf 'one\\n'; printf 'err line\\n' >&2; printf 'say "hi" <b>&\\t\\n'; printf '\\377ok\\n'; printf 'par'; printf 'tial'`]);
    const logFile = join(box.dir, 'c.json.log');
    const { exit, conn } = await box.runToExit(['--log-driver', 'json-file', '--log-file', logFile]);
    expect(exit.exitCode).toBe(0);
    const lines = jsonLines(logFile);
    const out = lines.filter((l) => l.stream === 'stdout').map((l) => l.log);
    const err = lines.filter((l) => l.stream === 'stderr').map((l) => l.log);
    expect(out).toEqual(['one\n', 'say "hi" <b>&\t\n', '\ufffdok\n', 'partial']);
    expect(err).toEqual(['err line\n']);
    expect(lines.every((l) => l.stream === 'stdout' || l.stream === 'stderr')).toBe(true);
    const raw = readFileSync(logFile, 'utf8');
    expect(raw).toContain('"log":"say \\"hi\\" \\u003cb\\u003e\\u0026\\t\\n"');
    expect(raw).toContain('"log":"\\ufffdok\\n"');
    // Times are not decreasing within a stream.
    const times = lines.filter((l) => l.stream === 'stdout').map((l) => l.time);
    for (let i = 1; i < times.length; i++) expect(Date.parse(times[i]) >= Date.parse(times[i - 1])).toBe(true);
    // The attach stream is unaffected by the driver.
    expect(conn.stream(FRAME.STDOUT)).toBe('one\nsay "hi" <b>&\t\n\xffok\npartial'.replace('\xff', '\ufffd'));
  });

  it('json-file splits a line longer than 16 KiB', async () => {
    box = new Sandbox();
    box.makeBundle(['sh', '-c', `head -c 40000 /dev/zero | tr '\\0' x; echo; echo short`]);
    const logFile = join(box.dir, 'c.json.log');
    await box.runToExit(['--log-driver', 'json-file', '--log-file', logFile]);
    const logs = jsonLines(logFile).map((l) => l.log);
    expect(logs).toEqual(['x'.repeat(16384), 'x'.repeat(16384), `${'x'.repeat(40000 - 32768)}\n`, 'short\n']);
  });

  it('local coalesces short writes: 1-byte lines cost at most 5% overhead', async () => {
    box = new Sandbox();
    const lines = 30000;
    box.makeBundle(['sh', '-c', `i=0; while [ $i -lt ${lines} ]; do echo; i=$((i+1)); done; yes '' | head -c 100000000`]);
    const exit = await box.runDetached();
    expect(exit.exitCode).toBe(0);
    const logFile = join(box.state, 'container.log');
    const output = lines + 100_000_000;
    const size = statSync(logFile).size;
    const records = decodeLog(readFileSync(logFile));
    expect(records.reduce((n, r) => n + r.data.length, 0)).toBe(output);
    expect(records.every((r) => r.data.every((b) => b === 10))).toBe(true);
    expect(size).toBeLessThanOrEqual(1.05 * output);
    // Timestamps still increase from record to record.
    for (let i = 1; i < records.length; i++) expect(records[i].ts > records[i - 1].ts).toBe(true);
  });

  it('local rotates at record boundaries and keeps --log-max-file files', async () => {
    box = new Sandbox();
    // 4000 numbered lines of 100 bytes, some stderr between them. Three files
    // hold at most 3 records of 32 KiB (one read) each: far less than 400 kB.
    box.makeBundle(['sh', '-c', `i=0; while [ $i -lt 4000 ]; do printf '%099d\\n' $i; [ $((i % 50)) = 0 ] && echo e$i >&2; i=$((i+1)); done`]);
    const logFile = join(box.dir, 'rot.log');
    await box.runToExit(['--log-file', logFile, '--log-max-size', '4096', '--log-max-file', '3']);
    expect(existsSync(`${logFile}.3`)).toBe(false);
    const files = [`${logFile}.2`, `${logFile}.1`, logFile];
    const decoded = files.map((f) => {
      const buf = readFileSync(f);
      const recs = decodeLog(buf); // throws on a record cut in two
      if (recs.length > 1) expect(buf.length).toBeLessThanOrEqual(4096);
      return recs;
    });
    const stdout = Buffer.concat(decoded.flat().filter((r) => r.stream === 1).map((r) => r.data)).toString();
    const full = Array.from({ length: 4000 }, (_, i) => `${String(i).padStart(99, '0')}\n`).join('');
    expect(stdout.length).toBeGreaterThan(0);
    expect(stdout.length).toBeLessThan(full.length);
    expect(full.endsWith(stdout)).toBe(true); // the newest output, nothing lost in between
  });

  it('json-file rotates at line boundaries; --log-max-file 1 keeps only the current file', async () => {
    box = new Sandbox();
    box.makeBundle(['sh', '-c', `i=0; while [ $i -lt 300 ]; do printf 'line %05d\\n' $i; i=$((i+1)); done`]);
    const logFile = join(box.dir, 'rot.json');
    await box.runToExit(['--log-driver', 'json-file', '--log-file', logFile, '--log-max-size', '2000', '--log-max-file', '4']);
    expect(existsSync(`${logFile}.4`)).toBe(false);
    const logs = [`${logFile}.3`, `${logFile}.2`, `${logFile}.1`, logFile].flatMap((f) => {
      expect(statSync(f).size).toBeLessThanOrEqual(2000);
      return jsonLines(f).map((l) => l.log);
    });
    const first = Number(logs[0].slice(5, 10));
    expect(logs).toEqual(Array.from({ length: 300 - first }, (_, i) => `line ${String(first + i).padStart(5, '0')}\n`));

    await box.cleanup();
    box = new Sandbox();
    box.makeBundle(['sh', '-c', `i=0; while [ $i -lt 300 ]; do printf 'line %05d\\n' $i; i=$((i+1)); done`]);
    const single = join(box.dir, 'one.json');
    await box.runToExit(['--log-driver', 'json-file', '--log-file', single, '--log-max-size', '2000', '--log-max-file', '1']);
    expect(existsSync(`${single}.1`)).toBe(false);
    expect(statSync(single).size).toBeLessThanOrEqual(2000);
    // Only what came after the last rotation is kept. How many lines that is
    // varies run to run: each record's time drops trailing zeros of its
    // nanoseconds (Docker's format), so record sizes differ by a few bytes.
    const tail = jsonLines(single).map((l) => l.log);
    expect(tail.length).toBeGreaterThan(0);
    expect(tail).toEqual(Array.from({ length: tail.length }, (_, i) => `line ${String(300 - tail.length + i).padStart(5, '0')}\n`));
  });

  it('none writes no log file; bad driver options are rejected', async () => {
    box = new Sandbox();
    box.makeBundle(['sh', '-c', 'echo hidden']);
    const { conn } = await box.runToExit(['--log-driver', 'none']);
    expect(conn.stream(FRAME.STDOUT)).toBe('hidden\n');
    expect(existsSync(join(box.state, 'container.log'))).toBe(false);
    const bad = await box.runShim(['--log-driver', 'syslog']);
    expect(bad.code).toBe(2);
    expect(bad.json.error).toMatch(/--log-driver syslog/);
    const size = await box.runShim(['--log-max-size', '10k']);
    expect(size.code).toBe(2);
    expect(size.json.error).toMatch(/--log-max-size 10k/);
  });
});
