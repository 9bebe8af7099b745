// berth debug replay FILE|-
// Feeds an exported event log through Berth's pure machines, actor by actor,
// and prints the state each ends in. Every step is checked against what was
// journaled; any difference is printed and the exit status is 1. Needs no
// daemon: the machines are part of this program.
import { readFileSync } from 'node:fs';
import type { Invocation } from '../../invocation.js';
import { BerthError } from '../../../src/errors.js';
import { decodeEventLog, EventLogError } from '../../../src/replay/event-log.js';
import { byActor, replayActor, type ActorReplay } from '../../../src/replay/replay-actor.js';
import { UnknownMachineVersionError } from '../../../src/replay/migrate-entry.js';
import { formatTable } from '../../format/table.js';

function readInput(path: string): Buffer {
  try {
    return path === '-' ? readFileSync(0) : readFileSync(path);
  } catch (err) {
    throw new BerthError('not_found', `cannot read event log ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function stateText(r: ActorReplay): string {
  return typeof r.state === 'string' ? r.state : JSON.stringify(r.state);
}

export default async function replay(inv: Invocation): Promise<number> {
  const [path] = inv.args;
  let results: ActorReplay[];
  try {
    const log = decodeEventLog(readInput(path));
    results = [...byActor(log.entries).values()].map(replayActor);
  } catch (err) {
    if (err instanceof EventLogError || err instanceof UnknownMachineVersionError) throw new BerthError('invalid_argument', err.message);
    throw err;
  }
  const rows = results.map((r) => [r.actorId, r.kind, String(r.steps), stateText(r), r.status, r.mismatches.length === 0 ? 'ok' : `${r.mismatches.length} mismatch(es)`]);
  process.stdout.write(formatTable(['ACTOR', 'KIND', 'STEPS', 'STATE', 'STATUS', 'REPLAY'], rows));
  let bad = 0;
  for (const r of results) {
    for (const m of r.mismatches) {
      bad++;
      process.stderr.write(`${r.actorId}: entry ${m.seq} (${m.event}): ${m.what}\n`);
    }
  }
  return bad === 0 ? 0 : 1;
}
