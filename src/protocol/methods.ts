// The calls the daemon answers, with their parameters and results. Shared by
// the daemon's handlers and the CLI so both sides type-check against one list.

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
}

export interface PullParams { ref: string }
export interface PullResult { ref: string; digest: string; id: string }

export interface LoadResult { loaded: string[] }

export interface RunParams {
  image: string;
  cmd?: string[];
  entrypoint?: string[];
  env?: string[];
  workdir?: string;
  name?: string;
  autoRemove?: boolean;
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
}

export interface Methods {
  'system.version': { params: Record<string, never>; result: VersionResult };
  'system.info': { params: Record<string, never>; result: InfoResult };
  'image.pull': { params: PullParams; result: PullResult };
  'image.list': { params: Record<string, never>; result: ImageSummary[] };
  'image.load': { params: Record<string, never>; result: LoadResult };
  'container.run': { params: RunParams; result: RunResult };
  'container.list': { params: { all?: boolean }; result: ContainerSummary[] };
  'container.logs': { params: { id: string }; result: null };
  'container.stop': { params: { id: string; timeout?: number }; result: { id: string } };
  'container.remove': { params: { id: string; force?: boolean }; result: { id: string } };
}

export type MethodName = keyof Methods;
