// `berth stats` as Docker prints it: CONTAINER ID, NAME, CPU %, MEM USAGE /
// LIMIT, MEM %, NET I/O, BLOCK I/O, PIDS.
import type { StatsSample } from '../../src/protocol/container-methods.js';
import { formatRows } from './rows.js';
import { shortId } from './ids.js';
import { bytesSize, humanSizePrecision } from './binary-size.js';

export interface StatsRow {
  ID: string; Container: string; Name: string; CPUPerc: string; MemUsage: string; MemPerc: string; NetIO: string; BlockIO: string; PIDs: string;
}

const HEADERS = {
  ID: 'CONTAINER ID', Container: 'CONTAINER', Name: 'NAME', CPUPerc: 'CPU %', MemUsage: 'MEM USAGE / LIMIT', MemPerc: 'MEM %',
  NetIO: 'NET I/O', BlockIO: 'BLOCK I/O', PIDs: 'PIDS',
};
export const DEFAULT_STATS_FORMAT = 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';

const percent = (v: number) => `${(Number.isFinite(v) ? v : 0).toFixed(2)}%`;
const io = (a: number, b: number) => `${humanSizePrecision(a, 3)} / ${humanSizePrecision(b, 3)}`;

/** `.Container` is what the user named the container by (Docker's "name or ID, as given"), else its ID. */
function givenRef(s: StatsSample, refs: string[]): string | undefined {
  const name = s.name.replace(/^\//, '');
  return refs.find((r) => r.replace(/^\//, '') === name) ?? refs.find((r) => /^[0-9a-f]+$/.test(r) && s.id.startsWith(r));
}

export function statsRow(s: StatsSample, truncate = true, refs: string[] = []): StatsRow {
  const id = truncate ? shortId(s.id) : s.id;
  return {
    ID: id,
    Container: givenRef(s, refs) ?? id,
    Name: s.name.replace(/^\//, '') || '--',
    CPUPerc: percent(s.cpuPercent),
    MemUsage: `${bytesSize(s.memoryUsage)} / ${bytesSize(s.memoryLimit)}`,
    MemPerc: percent(s.memoryPercent),
    NetIO: io(s.netRx, s.netTx),
    BlockIO: io(s.blockRead, s.blockWrite),
    PIDs: String(s.pids),
  };
}

export interface StatsTableOptions { truncate?: boolean; format?: string; /** the names or IDs the user gave */ refs?: string[] }

export function statsTable(samples: StatsSample[], opts: StatsTableOptions = {}): string {
  return formatRows(samples.map((s) => statsRow(s, opts.truncate !== false, opts.refs)), opts.format, { defaultTable: DEFAULT_STATS_FORMAT, headers: HEADERS });
}
