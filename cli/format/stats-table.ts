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

export function statsRow(s: StatsSample, truncate = true): StatsRow {
  const id = truncate ? shortId(s.id) : s.id;
  return {
    ID: id,
    Container: id,
    Name: s.name.replace(/^\//, '') || '--',
    CPUPerc: percent(s.cpuPercent),
    MemUsage: `${bytesSize(s.memoryUsage)} / ${bytesSize(s.memoryLimit)}`,
    MemPerc: percent(s.memoryPercent),
    NetIO: io(s.netRx, s.netTx),
    BlockIO: io(s.blockRead, s.blockWrite),
    PIDs: String(s.pids),
  };
}

export function statsTable(samples: StatsSample[], opts: { truncate?: boolean; format?: string } = {}): string {
  return formatRows(samples.map((s) => statsRow(s, opts.truncate !== false)), opts.format, { defaultTable: DEFAULT_STATS_FORMAT, headers: HEADERS });
}
