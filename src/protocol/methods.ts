// The calls the daemon answers, with their parameters and results. Shared by
// the daemon's handlers and the CLI so both sides type-check against one list.
import type { FsMethods } from './fs-methods.js';
import type { NetworkMethods, VolumeMethods } from './volume-network-methods.js';
import type { ContainerMethods, CreateParams, ContainerListParams, LogsParams } from './container-methods.js';

export interface VersionResult {
  version: string;
  apiVersion: number;
  node: string;
  os: string;
  arch: string;
  runtime: string;
}

export interface InfoResult {
  containers: number;
  running: number;
  stopped: number;
  images: number;
  root: string;
  execRoot: string;
  runtime: string;
  cgroupLayout: 'v1' | 'v2' | 'hybrid';
  actorHosts: number;
  journalEntries: number;
  kernel: string;
}

export interface ImageSummary {
  id: string;            // config digest (sha256:...)
  repoTags: string[];    // familiar names, e.g. busybox:latest
  repoDigests: string[];
  created: string | null;
  size: number;          // unpacked bytes
  labels?: Record<string, string>;
  containers?: number;   // containers using the image
}

export interface ImageListParams {
  /** Docker's --filter values, e.g. "dangling=true", "reference=busy*" */
  filters?: string[];
  all?: boolean;
}

/** One line of `rmi` / `image prune` output: Docker's ImageDeleteResponseItem. */
export interface ImageDeleteItem { untagged?: string; deleted?: string }

export interface ImagePruneResult { deleted: ImageDeleteItem[]; spaceReclaimed: number }

/** One row of `history`, newest first. */
export interface ImageHistoryRow {
  id: string;            // image id for the top row, "<missing>" for the others
  created: string | null;
  createdBy: string;
  size: number;
  comment: string;
  tags: string[];
}

export interface ImportParams { repository?: string; changes?: string[]; message?: string; source?: string }

export interface PullParams {
  ref: string;
  /** "os/arch[/variant]"; default: the daemon's platform */
  platform?: string;
  /** credential for the reference's registry: base64 "user:password" (Docker's config.json `auth`); never stored by the daemon */
  auth?: string;
}
export interface PushParams { ref: string; auth?: string }
export interface PushResult { ref: string; digest: string; size: number }
export interface LoginParams { server: string; auth: string }
export interface PullResult { ref: string; digest: string; id: string }

export interface LoadResult { loaded: string[] }

/** `run` is `create` + `start` (+ attach unless detached). */
export interface RunParams extends CreateParams {
  detach?: boolean;
}
export interface RunResult { id: string; exitCode?: number }

export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  command: string;
  created: string;
  state: string;         // created | running | exited | removing | dead
  status: string;        // Docker's human text: "Up 3 seconds", "Exited (3) 2 seconds ago"
  exitCode: number | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** starting | healthy | unhealthy | none */
  health?: string;
  /** host ports published now (running containers only) */
  ports?: import('../network/ports.js').PortMapping[];
  /** the networks it is on: names, or its mode (none, host, container:ID) */
  networks?: string[];
}

export interface Methods extends ContainerMethods, FsMethods, VolumeMethods, NetworkMethods {
  'system.version': { params: Record<string, never>; result: VersionResult };
  'system.info': { params: Record<string, never>; result: InfoResult };
  /** the state visualizer's URL, token included */
  'system.ui': { params: Record<string, never>; result: { url: string } };
  'image.pull': { params: PullParams; result: PullResult };
  'image.push': { params: PushParams; result: PushResult };
  'system.login': { params: LoginParams; result: { status: string } };
  'image.list': { params: ImageListParams; result: ImageSummary[] };
  'image.tag': { params: { source: string; target: string }; result: null };
  'image.remove': { params: { name: string; force?: boolean }; result: ImageDeleteItem[] };
  'image.prune': { params: { all?: boolean }; result: ImagePruneResult };
  'image.inspect': { params: { name: string }; result: Record<string, unknown> };
  'image.history': { params: { name: string }; result: ImageHistoryRow[] };
  'image.save': { params: { names: string[] }; result: null };
  'image.import': { params: ImportParams; result: { id: string } };
  'container.export': { params: { id: string }; result: null };
  'image.load': { params: Record<string, never>; result: LoadResult };
  'container.run': { params: RunParams; result: RunResult };
  'container.list': { params: ContainerListParams; result: ContainerSummary[] };
  'container.logs': { params: LogsParams; result: null };
  'container.stop': { params: { id: string; timeout?: number }; result: { id: string } };
  'container.remove': { params: { id: string; force?: boolean; volumes?: boolean }; result: { id: string } };
  'debug.fault': { params: import('../daemon/fault-injection.js').FaultParams; result: { injected: string } };
  'debug.journal': { params: import('../services/journal-export.js').JournalSliceParams; result: import('../replay/event-log.js').EventLog };
}

export type MethodName = keyof Methods;
