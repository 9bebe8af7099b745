// `berth ps` rows with Docker's --format field names (ID, Image, Command,
// CreatedAt, RunningFor, Ports, State, Status, Size, Names, Labels, Label
// "key", Mounts, Networks, LocalVolumes) and its default table.
import type { ContainerSummary } from '../../src/protocol/methods.js';
import { formatRows } from './rows.js';
import { shortId } from './ids.js';
import { psCommand } from './ellipsis.js';
import { timeAgo } from './duration.js';
import { humanSize } from './size.js';
import { portsColumn } from '../../src/views/container-network-view.js';

/** Fields the daemon may add to a summary beyond ContainerSummary; shown when present. */
interface SummaryExtras { labels?: Record<string, string>; sizeRw?: number; sizeRootFs?: number }

export interface PsRow {
  ID: string; Image: string; Command: string; CreatedAt: string; RunningFor: string; Ports: string; State: string;
  Status: string; Size: string; Names: string; Labels: string; Mounts: string; Networks: string; LocalVolumes: string;
  /** {{.Label "key"}}; not part of the json output. */
  Label?: (key: string) => string;
}

const HEADERS = {
  ID: 'CONTAINER ID', Image: 'IMAGE', Command: 'COMMAND', CreatedAt: 'CREATED AT', RunningFor: 'CREATED', Ports: 'PORTS',
  State: 'STATE', Status: 'STATUS', Size: 'SIZE', Names: 'NAMES', Labels: 'LABELS', Mounts: 'MOUNTS', Networks: 'NETWORKS',
  LocalVolumes: 'LOCAL VOLUMES', Label: () => 'LABEL',
};

export function defaultPsFormat(size: boolean): string {
  return `table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}${size ? '\t{{.Size}}' : ''}`;
}

/** Go's time.Time String(), as Docker prints CreatedAt: "2024-01-01 00:00:00 +0000 UTC". */
function createdAt(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? '' : `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} +0000 UTC`;
}

function sizeText(c: ContainerSummary & SummaryExtras): string {
  if (c.sizeRw === undefined) return 'N/A';
  const rw = humanSize(c.sizeRw);
  return c.sizeRootFs === undefined ? rw : `${rw} (virtual ${humanSize(c.sizeRootFs)})`;
}

export function psRow(summary: ContainerSummary, opts: { truncate: boolean; now?: number }): PsRow {
  const c = summary as ContainerSummary & SummaryExtras;
  const labels = c.labels ?? {};
  const row: PsRow = {
    ID: opts.truncate ? shortId(c.id) : c.id,
    Image: opts.truncate && c.image.startsWith('sha256:') ? shortId(c.image) : c.image,
    Command: psCommand(c.command ?? '', opts.truncate),
    CreatedAt: createdAt(c.created),
    RunningFor: timeAgo(c.created, opts.now ?? Date.now()),
    Ports: portsColumn(c.ports ?? []),
    State: c.state ?? '',
    Status: c.status ?? '',
    Size: sizeText(c),
    Names: (c.name ?? '').replace(/^\//, ''),
    Labels: Object.keys(labels).sort().map((k) => `${k}=${labels[k]}`).join(','),
    Mounts: '',
    Networks: (c.networks ?? []).join(','),
    LocalVolumes: '0',
  };
  Object.defineProperty(row, 'Label', { value: (key: string) => labels[key] ?? '', enumerable: false });
  return row;
}

export function formatPs(list: ContainerSummary[], opts: { truncate: boolean; format?: string; size?: boolean; now?: number }): string {
  const rows = list.map((c) => psRow(c, opts));
  return formatRows(rows, opts.format, { defaultTable: defaultPsFormat(opts.size === true), headers: HEADERS });
}
