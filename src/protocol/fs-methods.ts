// File system calls on containers (cp, diff, commit) and the disk usage calls
// (system df / prune): parameters and results shared by daemon and CLI.

export interface PathStat {
  name: string;
  path: string;
  mode: number;
  size: number;
  isDir: boolean;
  linkTarget: string;
}

export interface CopyStatParams { id: string; path: string; followLink?: boolean }
export interface CopyExtractParams { id: string; dir: string; rename?: { from: string; to: string }; archive?: boolean; noOverwriteDirNonDir?: boolean }
/** Docker's change kinds: 0 modified, 1 added, 2 deleted */
export interface ChangeRow { Path: string; Kind: 0 | 1 | 2 }
export interface CommitParams { id: string; repository?: string; message?: string; author?: string; changes?: string[]; pause?: boolean }

export interface FsMethods {
  'container.stat': { params: CopyStatParams; result: PathStat | null };
  'container.archive': { params: CopyStatParams; result: PathStat };
  'container.extract': { params: CopyExtractParams; result: null };
  'container.diff': { params: { id: string }; result: ChangeRow[] };
  'container.commit': { params: CommitParams; result: { id: string } };
  'system.df': { params: Record<string, never>; result: DiskUsage };
}

export interface DiskUsageImage { id: string; repoTags: string[]; created: string | null; size: number; sharedSize: number; containers: number; layers: string[] }
export interface DiskUsageContainer { id: string; name: string; image: string; command: string; created: string; state: string; status: string; sizeRw: number }
export interface DiskUsage {
  images: DiskUsageImage[];
  /** chain id → unpacked bytes, for every layer some image uses */
  layerSizes: Record<string, number>;
  containers: DiskUsageContainer[];
  volumes: Array<{ name: string; size: number; links: number }>;
  buildCache: Array<{ id: string; size: number; inUse: boolean }>;
}
