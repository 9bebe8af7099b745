// Group commit of journal entries on a real LMDB environment: entries queued
// together go to disk in one transaction, in order; a refused entry refuses the
// rest of its actor's batch only; nothing queued is left behind.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import type { MetadataDb } from '../../src/store/db.js';
import { withTempMetadataDb } from '../fixtures/temp-metadata-db.js';
import { JournalWriter, journalLength, readJournal, type NewJournalEntry } from '../../src/store/journal.js';
import { BerthError } from '../../src/errors.js';

let dir: string;
let db: MetadataDb;
withTempMetadataDb('berth-journal-writer-', (d, m) => {
  dir = d;
  db = m;
});

const entry = (actorId: string, n: number): NewJournalEntry => ({
  actorId,
  kind: 'container',
  event: { type: `E${n}` },
  state: `s${n}`,
  context: { n },
  status: 'active',
  time: new Date(0).toISOString(),
});
const record = (actorId: string, n: number) => ({ actorId, kind: 'container' as const, snapshot: { n }, input: null });
const lastTxnId = () => (db.root.getStats() as { lastTxnId: number }).lastTxnId;

describe('JournalWriter', () => {
  it('commits what was queued together in one transaction, in order', async () => {
    const w = new JournalWriter(db);
    const before = lastTxnId();
    const seqs = [w.append(entry('a', 1), { record: record('a', 1) }), w.append(entry('b', 1), { record: record('b', 1) }), w.append(entry('a', 2), { record: record('a', 2) })];
    expect(journalLength(db)).toBe(0); // queued, not written
    await w.flush();
    expect(await Promise.all(seqs)).toEqual([1, 2, 3]);
    expect(lastTxnId()).toBe(before + 1);
    expect(readJournal(db).map((e) => `${e.actorId}:${e.event.type}`)).toEqual(['a:E1', 'b:E1', 'a:E2']);
    expect(db.actors.get('a')).toMatchObject({ snapshot: { n: 2 }, seq: 3 });
  });

  it('commits an entry nobody waits for by itself after a short window', async () => {
    const w = new JournalWriter(db);
    const seq = await w.append(entry('a', 1), { record: null });
    expect(seq).toBe(1);
    expect(readJournal(db)).toHaveLength(1);
  });

  it('refuses an entry whose precondition throws, and its actor’s later entries, but not the others', async () => {
    const w = new JournalWriter(db);
    const refusal = new BerthError('conflict', 'the name is taken');
    const first = w.append(entry('a', 1), {
      record: record('a', 1),
      precondition: () => {
        throw refusal;
      },
      alsoWrite: () => db.names.put('taken', 'a'),
    });
    const later = w.append(entry('a', 2), { record: record('a', 2) });
    const other = w.append(entry('b', 1), { record: record('b', 1) });
    await w.flush();
    await expect(first).rejects.toBe(refusal);
    await expect(later).rejects.toBe(refusal);
    expect(await other).toBe(1);
    expect(readJournal(db).map((e) => e.actorId)).toEqual(['b']);
    expect(db.actors.get('a')).toBeUndefined();
    expect(db.names.get('taken')).toBeUndefined();
  });

  it('sees the writes of earlier entries of the same batch in a precondition', async () => {
    const w = new JournalWriter(db);
    const claim = (id: string) => ({
      record: record(id, 1),
      precondition: () => {
        if (db.names.get('web') !== undefined) throw new BerthError('conflict', 'web is taken');
      },
      alsoWrite: () => db.names.put('web', id),
    });
    const a = w.append(entry('a', 1), claim('a'));
    const b = w.append(entry('b', 1), claim('b'));
    await w.flush();
    expect(await a).toBe(1);
    await expect(b).rejects.toThrow('web is taken');
    expect(db.names.get('web')).toBe('a');
  });

  it('has committed an entry, for another process to read, when its promise resolves', async () => {
    const w = new JournalWriter(db);
    await w.append(entry('a', 7), { record: null });
    const code = `import('${new URL('../../dist/src/store/db.js', import.meta.url).href}').then(async ({ openMetadataDb }) => {
      const db = openMetadataDb(process.argv[1]);
      process.stdout.write(JSON.stringify([...db.journal.getRange()].map((e) => e.value.event.type)));
      await db.root.close();
    })`;
    const out = execFileSync(process.execPath, ['-e', code, dir], { encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual(['E7']);
  });
});
