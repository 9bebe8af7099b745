// The container config a POST /commit body may carry, as the Dockerfile
// change lines Berth's commit applies (CMD, ENTRYPOINT, ENV, WORKDIR, USER,
// LABEL, EXPOSE, VOLUME, STOPSIGNAL). Anything else it sets is refused.
import { ApiError } from './http-util.js';

export interface DockerCommitConfig {
  Cmd?: string[] | string | null;
  Entrypoint?: string[] | string | null;
  Env?: string[] | null;
  WorkingDir?: string;
  User?: string;
  Labels?: Record<string, string> | null;
  ExposedPorts?: Record<string, unknown> | null;
  Volumes?: Record<string, unknown> | null;
  StopSignal?: string;
  [other: string]: unknown;
}

const HANDLED = new Set(['Cmd', 'Entrypoint', 'Env', 'WorkingDir', 'User', 'Labels', 'ExposedPorts', 'Volumes', 'StopSignal']);

const isZero = (v: unknown): boolean =>
  v === undefined || v === null || v === '' || v === false || v === 0 || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && Object.keys(v as object).length === 0);

const list = (v: string[] | string): string[] => (Array.isArray(v) ? v : [v]);

export function commitChanges(c: DockerCommitConfig | null): string[] {
  if (!c) return [];
  for (const [key, value] of Object.entries(c)) {
    if (!HANDLED.has(key) && !isZero(value)) throw new ApiError(501, `commit config field ${key} is not supported by Berth: set Cmd, Entrypoint, Env, WorkingDir, User, Labels, ExposedPorts, Volumes or StopSignal`);
  }
  const out: string[] = [];
  if (c.Cmd) out.push(`CMD ${JSON.stringify(list(c.Cmd))}`);
  if (c.Entrypoint) out.push(`ENTRYPOINT ${JSON.stringify(list(c.Entrypoint))}`);
  for (const e of c.Env ?? []) out.push(`ENV ${e}`);
  if (c.WorkingDir) out.push(`WORKDIR ${c.WorkingDir}`);
  if (c.User) out.push(`USER ${c.User}`);
  for (const [k, v] of Object.entries(c.Labels ?? {})) out.push(`LABEL ${JSON.stringify(k)}=${JSON.stringify(v)}`);
  for (const port of Object.keys(c.ExposedPorts ?? {})) out.push(`EXPOSE ${port}`);
  for (const path of Object.keys(c.Volumes ?? {})) out.push(`VOLUME ${path}`);
  if (c.StopSignal) out.push(`STOPSIGNAL ${c.StopSignal}`);
  return out;
}
