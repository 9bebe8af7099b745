// Berth's container data in the Docker Engine API's shapes, and Docker's
// container-create body turned into Berth's create parameters.
import type { ImageHealthcheck } from '../machines/health-config.js';
import type { CreateParams } from '../protocol/container-methods.js';
import type { ContainerSummary } from '../protocol/methods.js';
import { ApiError } from './http-util.js';
import { applyHostConfig, restartPolicy, type DockerHostConfig, type DockerNetworkingConfig } from './container-hostconfig.js';

type Row = ContainerSummary & { labels?: Record<string, string>; imageId?: string };

export function dockerContainerSummary(r: Row): Record<string, unknown> {
  const networks = r.networks ?? [];
  const bridged = networks.length > 0 && !/^(none|host|container:)/.test(networks[0]);
  return {
    Id: r.id,
    Names: [`/${r.name}`],
    Image: r.image,
    ImageID: r.imageId ?? '',
    Command: r.command,
    Created: Math.floor(Date.parse(r.created) / 1000),
    // a published port as `docker ps` reads it
    Ports: (r.ports ?? []).map((p) => ({ IP: p.hostIP || '0.0.0.0', PrivatePort: p.containerPort, PublicPort: p.hostPort, Type: p.protocol })),
    Labels: r.labels ?? {},
    State: r.state,
    Status: r.status,
    HostConfig: { NetworkMode: networks[0] ?? 'none' },
    NetworkSettings: { Networks: bridged ? Object.fromEntries(networks.map((n) => [n, {}])) : {} },
    Mounts: [],
  };
}

export interface DockerCreateBody {
  Image?: string;
  Cmd?: string[] | string | null;
  Entrypoint?: string[] | string | null;
  Env?: string[] | null;
  WorkingDir?: string;
  User?: string;
  Hostname?: string;
  Domainname?: string;
  Labels?: Record<string, string> | null;
  Tty?: boolean;
  OpenStdin?: boolean;
  StopSignal?: string;
  StopTimeout?: number | null;
  /** Test ["NONE"] disables the image's check, as `docker run --no-healthcheck` sends it */
  Healthcheck?: ImageHealthcheck | null;
  HostConfig?: DockerHostConfig | null;
  NetworkingConfig?: DockerNetworkingConfig | null;
}

const asList = (v: string[] | string | null | undefined): string[] | undefined =>
  v === null || v === undefined ? undefined : Array.isArray(v) ? v : [v];

/** Docker's POST /containers/create body and ?name= as Berth's create parameters; what Berth cannot do is refused, not ignored. */
export function createParams(body: DockerCreateBody | null, name: string | null): CreateParams {
  if (!body?.Image) throw new ApiError(400, 'Config.Image is required: the image to create the container from');
  const hc = body.HostConfig ?? {};
  const p: CreateParams = { image: body.Image };
  const cmd = asList(body.Cmd);
  if (cmd && cmd.length > 0) p.cmd = cmd;
  const entrypoint = asList(body.Entrypoint);
  if (entrypoint) p.entrypoint = entrypoint;
  if (body.Env && body.Env.length > 0) p.env = body.Env;
  if (body.WorkingDir) p.workdir = body.WorkingDir;
  if (body.User) p.user = body.User;
  if (body.Hostname) p.hostname = body.Hostname;
  if (body.Domainname) p.domainname = body.Domainname;
  if (body.Labels && Object.keys(body.Labels).length > 0) p.labels = body.Labels;
  if (body.Tty) p.tty = true;
  if (body.OpenStdin) p.openStdin = true;
  if (body.StopSignal) p.stopSignal = body.StopSignal;
  if (typeof body.StopTimeout === 'number') p.stopTimeout = body.StopTimeout;
  if (body.Healthcheck) p.healthcheck = body.Healthcheck;
  if (name) p.name = name;
  if (hc.AutoRemove) p.autoRemove = true;
  const policy = restartPolicy(hc.RestartPolicy);
  if (policy && policy !== 'no') p.restart = policy;
  const log = hc.LogConfig?.Type;
  if (log) {
    if (log !== 'local' && log !== 'json-file' && log !== 'none') throw new ApiError(400, `logging driver "${log}" is not supported: use local, json-file or none`);
    p.logDriver = log;
    if (hc.LogConfig?.Config && Object.keys(hc.LogConfig.Config).length > 0) p.logOpts = hc.LogConfig.Config;
  }
  applyHostConfig(p, hc, body.NetworkingConfig);
  return p;
}
