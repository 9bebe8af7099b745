// What the command grammar hands to a command's module once parsing is done.

export type CommandName = 'pull' | 'images' | 'load' | 'run' | 'ps' | 'logs' | 'stop' | 'rm' | 'version' | 'info'
  | 'rmi' | 'tag' | 'image-prune' | 'inspect' | 'history' | 'save' | 'import' | 'export'
  | 'push' | 'login' | 'logout'
  // container lifecycle (issue 5)
  | 'create' | 'start' | 'restart' | 'kill' | 'wait' | 'pause' | 'unpause' | 'rename' | 'update' | 'attach' | 'exec'
  | 'top' | 'stats' | 'object-inspect' | 'container-inspect' | 'container-prune' | 'events'
  // debugging the engine (issue 8)
  | 'debug-journal' | 'debug-replay' | 'debug-fault'
  // container file systems and disk usage
  | 'cp' | 'diff' | 'commit' | 'system-df' | 'system-prune'
  // state visualizer (issue 7)
  | 'ui'
  // volumes (issue 6)
  | 'volume-create' | 'volume-ls' | 'volume-inspect' | 'volume-rm' | 'volume-prune'
  | 'network-create' | 'network-ls' | 'network-inspect' | 'network-rm' | 'network-prune' | 'port'
  | 'network-connect' | 'network-disconnect';

export interface Invocation {
  command: CommandName;
  /** Positional arguments, flattened: for run, [IMAGE, ...COMMAND]. */
  args: string[];
  /** The command's own options as commander parsed them. */
  opts: Record<string, unknown>;
  /** -H/--host, if given. */
  host?: string;
  debug: boolean;
}

/** A command's module: does the work and returns the process exit code. */
export type CommandMain = (inv: Invocation) => Promise<number>;

export type Dispatch = (inv: Invocation) => Promise<void>;
