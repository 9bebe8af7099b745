// How a container looks to clients: `ps` rows and Docker-shaped `inspect`
// documents, computed from the machine's state value and context. Pure.
import { dockerState, type ContainerContext } from '../machines/container.js';
import { statusText } from './status-text.js';
import { hostConfigView } from './host-config-view.js';
import { healthcheckShape, withHealth } from './health-view.js';
import type { ContainerSummary } from '../protocol/methods.js';
import { inspectMounts } from '../runtime/user-mounts.js';
import { networkHostConfigView, type NetworkNames } from './network-host-config-view.js';

export function containerSummary(value: unknown, c: ContainerContext, now = Date.now()): ContainerSummary & { labels: Record<string, string>; imageId: string } {
  const state = dockerState(value);
  return {
    id: c.id,
    name: c.name,
    image: c.image,
    imageId: c.imageId,
    command: c.spec.args.join(' '),
    created: c.createdAt,
    state,
    status: withHealth(statusText(state, c.exitCode, c.startedAt, c.finishedAt, now), state, c),
    health: state === 'running' && c.health ? c.health.Status : 'none',
    exitCode: c.exitCode,
    startedAt: c.startedAt,
    finishedAt: c.finishedAt,
    labels: c.spec.labels ?? {},
  };
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

export function containerInspect(value: unknown, c: ContainerContext, paths: { log: string; dir: string }, networkNames?: NetworkNames): Record<string, unknown> {
  const state = dockerState(value);
  const policy = c.spec.restartPolicy ?? { name: 'no', maximumRetryCount: 0 };
  return {
    Id: c.id,
    Created: c.createdAt,
    Path: c.spec.args[0] ?? '',
    Args: c.spec.args.slice(1),
    State: {
      Status: state,
      Running: state === 'running' || state === 'paused',
      Paused: state === 'paused',
      Restarting: state === 'restarting',
      OOMKilled: c.oomKilled ?? false,
      Dead: state === 'dead',
      Pid: c.pid ?? 0,
      ExitCode: c.exitCode ?? 0,
      Error: c.error?.message ?? '',
      StartedAt: c.startedAt ?? ZERO_TIME,
      FinishedAt: c.finishedAt ?? ZERO_TIME,
      ...(c.health ? { Health: c.health } : {}),
    },
    Image: c.imageId,
    ResolvConfPath: '',
    HostnamePath: '',
    HostsPath: '',
    LogPath: paths.log,
    Name: `/${c.name}`,
    RestartCount: c.restartCount ?? 0,
    Driver: 'overlay2',
    Platform: 'linux',
    HostConfig: {
      AutoRemove: c.spec.autoRemove,
      RestartPolicy: { Name: policy.name, MaximumRetryCount: policy.maximumRetryCount },
      LogConfig: { Type: c.spec.logDriver ?? 'local', Config: c.spec.logOpts ?? {} },
      Annotations: c.spec.annotations ?? null,
      ...networkHostConfigView(c.spec, networkNames),
      ...hostConfigView(c.spec.host),
    },
    GraphDriver: {
      Name: 'overlay2',
      Data: { LowerDir: c.spec.lowerDirs.join(':'), UpperDir: `${paths.dir}/upper`, WorkDir: `${paths.dir}/work`, MergedDir: `${paths.dir}/rootfs` },
    },
    Mounts: inspectMounts(c.spec.mounts),
    Config: {
      Hostname: c.spec.hostname,
      Domainname: c.spec.domainname ?? '',
      User: c.spec.user.uid === 0 && c.spec.user.gid === 0 ? '' : `${c.spec.user.uid}:${c.spec.user.gid}`,
      Tty: c.spec.tty ?? false,
      OpenStdin: c.spec.openStdin ?? false,
      Env: c.spec.env,
      Cmd: c.spec.args,
      Image: c.image,
      WorkingDir: c.spec.cwd,
      ...(c.spec.health ? { Healthcheck: healthcheckShape(c.spec.health) } : {}),
      ...(c.spec.exposedPorts?.length ? { ExposedPorts: Object.fromEntries(c.spec.exposedPorts.map((k) => [k, {}])) } : {}),
      Labels: c.spec.labels ?? {},
      StopSignal: c.spec.stopSignal ?? 'SIGTERM',
      StopTimeout: c.spec.stopTimeout ?? 10,
    },
    NetworkSettings: { Networks: {} },
  };
}
