// berth debug journal [--actor REF] [--since T] [--until T] [--format json|msgpack] [-o FILE]
// Exports the daemon's journal, or a slice of it, as a portable event log
// that `berth debug replay` (or a test) can feed back through the machines.
import type { Invocation } from '../../invocation.js';
import { withDaemon } from '../../session.js';
import { resolveTimeArg } from '../../format/time-arg.js';
import { BerthError } from '../../../src/errors.js';
import { encodeEventLog } from '../../../src/replay/event-log.js';
import { writeFileAtomic } from '../../../src/util/atomic-file.js';
import type { JournalSliceParams } from '../../../src/services/journal-export.js';

export default async function journal(inv: Invocation): Promise<number> {
  const format = (inv.opts.format as string | undefined) ?? 'json';
  if (format !== 'json' && format !== 'msgpack') {
    throw new BerthError('invalid_argument', `unknown --format "${format}": use json or msgpack`);
  }
  const out = inv.opts.output as string | undefined;
  if (format === 'msgpack' && out === undefined && process.stdout.isTTY) {
    throw new BerthError('invalid_argument', 'refusing to write msgpack to a terminal: give -o FILE or redirect the output');
  }
  const now = Date.now();
  const params: JournalSliceParams = {};
  if (inv.opts.actor !== undefined) params.actor = String(inv.opts.actor);
  if (inv.opts.since !== undefined) params.since = resolveTimeArg('--since', String(inv.opts.since), now);
  if (inv.opts.until !== undefined) params.until = resolveTimeArg('--until', String(inv.opts.until), now);
  const log = await withDaemon(inv, (client) => client.call('debug.journal', params));
  const bytes = encodeEventLog(log, format);
  if (out === undefined) process.stdout.write(bytes);
  else await writeFileAtomic(out, bytes);
  return 0;
}
