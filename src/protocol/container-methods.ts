// Container calls beyond run/list/logs/stop/remove (issue 5): parameters and
// results shared by the daemon's handlers and the CLI.
import type { HostOptions } from '../runtime/host-options.js';

import type { MountRequest } from '../runtime/user-mounts.js';

import type { ImageHealthcheck } from '../machines/health-config.js';

/** Docker's restart policy: "no" | "on-failure[:N]" | "always" | "unless-stopped". */
export type RestartPolicyName = 'no' | 'on-failure' | 'always' | 'unless-stopped';

export interface CreateParams {
  image: string;
  platform?: string;
  auth?: string;
  /** --pull: always pulls first; never fails when the image is not here; missing (the default) pulls when it is not */
  pull?: 'always' | 'missing' | 'never';
  cmd?: string[];
  entrypoint?: string[];
  env?: string[];
  workdir?: string;
  name?: string;
  autoRemove?: boolean;
  hostname?: string;
  /** --domainname: the UTS namespace's NIS domain name */
  domainname?: string;
  user?: string;
  labels?: Record<string, string>;
  /** --annotation: OCI annotations in the container's config.json */
  annotations?: Record<string, string>;
  /** "no", "on-failure", "on-failure:5", "always", "unless-stopped" */
  restart?: string;
  stopSignal?: string;
  stopTimeout?: number;
  tty?: boolean;
  /** keep stdin open (-i) */
  openStdin?: boolean;
  logDriver?: 'local' | 'json-file' | 'none';
  logOpts?: Record<string, string>;
  /** -v and --mount */
  mounts?: MountRequest[];
  /** --network none|host|bridge|NAME|container:ID */
  network?: string;
  /** HOST:IP entries for /etc/hosts */
  addHosts?: string[];
  dns?: string[];
  dnsSearch?: string[];
  /** --dns-option: resolv.conf `options` entries, e.g. ndots:2 */
  dnsOptions?: string[];
  networkAliases?: string[];
  /** --ip on a user network with a user subnet */
  ip?: string;
  /** -p specs */
  publish?: string[];
  /** -P */
  publishAll?: boolean;
  /** --expose PORT[-END][/PROTO] */
  expose?: string[];
  /** resource and security settings, checked by the daemon (src/runtime/host-options.ts) */
  host?: HostOptions;
  /** --health-* flags, Docker's Healthcheck shape (times in ns) */
  healthcheck?: ImageHealthcheck;
  /** --no-healthcheck */
  noHealthcheck?: boolean;
}

export interface CreateResult { id: string; warnings: string[] }

export interface StartParams {
  id: string;
  /** stream output (and take stdin from the call's upload when interactive) until the container exits */
  attach?: boolean;
  interactive?: boolean;
}

export interface AttachParams {
  id: string;
  stdin?: boolean;
  /** Docker's --detach-keys, e.g. "ctrl-p,ctrl-q" */
  detachKeys?: string;
  /** also attach to a created container and follow its next run (Docker's API attaches before it starts) */
  beforeStart?: boolean;
}

export interface LogsParams {
  id: string;
  follow?: boolean;
  /** number of lines from the end, or undefined for all */
  tail?: number;
  timestamps?: boolean;
  /** RFC 3339 times or Unix seconds, as Docker takes them (the CLI resolves durations like "10m") */
  since?: string;
  until?: string;
}

export interface WaitParams { id: string; condition?: 'not-running' | 'next-exit' | 'removed' }
export interface WaitResult { exitCode: number; error: string | null }

export interface ContainerListParams {
  all?: boolean;
  /** Docker's filters: status, name, label, ancestor, exited, id */
  filters?: Record<string, string[]>;
  /** the n most recently created (any state) */
  limit?: number;
}

export interface ExecParams {
  id: string;
  cmd: string[];
  env?: string[];
  workdir?: string;
  user?: string;
  tty?: boolean;
  interactive?: boolean;
  detach?: boolean;
  /** every capability, as `exec --privileged` */
  privileged?: boolean;
}
export interface ExecResult { execId: string; exitCode?: number }

export interface TopResult { titles: string[]; processes: string[][] }

export interface StatsSample {
  id: string;
  name: string;
  read: string;
  cpuPercent: number;
  memoryUsage: number;
  memoryLimit: number;
  memoryPercent: number;
  pids: number;
  blockRead: number;
  blockWrite: number;
  netRx: number;
  netTx: number;
}

/** A Docker-style event, as `berth events` prints it. */
export interface EngineEvent {
  time: string;           // RFC 3339 with nanoseconds
  timeNano: number;
  type: 'container' | 'image';
  action: string;         // create, start, die, stop, kill, pause, unpause, restart, rename, destroy, pull, ...
  id: string;
  attributes: Record<string, string>;
  seq: number;
}

export interface EventsParams { since?: string; until?: string; filters?: Record<string, string[]> }

export interface ContainerMethods {
  'container.create': { params: CreateParams; result: CreateResult };
  'container.start': { params: StartParams; result: { id: string; exitCode?: number } };
  'container.restart': { params: { id: string; timeout?: number }; result: { id: string } };
  'container.kill': { params: { id: string; signal?: string }; result: { id: string } };
  'container.wait': { params: WaitParams; result: WaitResult };
  'container.inspect': { params: { id: string }; result: Record<string, unknown> };
  'container.rename': { params: { id: string; name: string }; result: null };
  'container.update': { params: { id: string; host?: HostOptions; restart?: string }; result: null };
  'container.pause': { params: { id: string }; result: null };
  'container.unpause': { params: { id: string }; result: null };
  'container.attach': { params: AttachParams; result: { exitCode?: number; detached?: boolean } };
  'container.resize': { params: { id: string; execId?: string; rows: number; cols: number }; result: null };
  'container.exec': { params: ExecParams; result: ExecResult };
  'container.top': { params: { id: string }; result: TopResult };
  /** with `stream: true` the tables come as `stats` events, one a second, and the result is [] */
  'container.stats': { params: { ids: string[]; stream?: boolean; all?: boolean }; result: StatsSample[] };
  'container.prune': { params: { filters?: Record<string, string[]> }; result: { deleted: string[]; spaceReclaimed: number } };
  'system.events': { params: EventsParams; result: null };
  'container.port': { params: { id: string }; result: { hostIP: string; hostPort: number; containerPort: number; protocol: string }[] };
}
