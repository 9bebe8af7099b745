// /_ping, /version, /info, /events: Docker's system endpoints.
import { hostname, cpus, totalmem } from 'node:os';
import type { InfoResult, VersionResult } from '../protocol/methods.js';
import type { EngineEvent } from '../protocol/container-methods.js';
import type { StreamEvent } from '../protocol/frames.js';
import { callHandler } from './handler-call.js';
import { filtersQuery, sendJson } from './http-util.js';
import type { Route } from './route.js';

/** The newest Docker API version Berth implements, and the oldest it accepts. */
export const API_VERSION = '1.43';
export const MIN_API_VERSION = '1.24';

const none = () => ({ signal: new AbortController().signal });
/** uname's machine name (info) and Go's architecture name (version), from Node's */
const arch = (a: string) => (a === 'x64' ? 'x86_64' : a === 'arm64' ? 'aarch64' : a);
const goArch = (a: string) => (a === 'x64' ? 'amd64' : a === 'ia32' ? '386' : a);

function dockerEvent(e: EngineEvent): Record<string, unknown> {
  const time = Math.floor(e.timeNano / 1e9);
  const base = { Type: e.type, Action: e.action, Actor: { ID: e.id, Attributes: e.attributes }, scope: 'local', time, timeNano: e.timeNano };
  return e.type === 'container' ? { status: e.action, id: e.id, from: e.attributes.image ?? '', ...base } : base;
}

/** "10m"-style values are resolved by clients; Docker also takes Unix seconds with fractions. */
function timeParam(v: string | null): string | undefined {
  return v && v !== '0' ? v : undefined;
}

export const systemRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/_ping$/,
    async run(ctx) {
      ctx.res!.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-cache, no-store, must-revalidate', Pragma: 'no-cache' });
      ctx.res!.end('OK');
    },
  },
  {
    method: 'HEAD',
    path: /^\/_ping$/,
    async run(ctx) {
      ctx.res!.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 0 });
      ctx.res!.end();
    },
  },
  {
    method: 'GET',
    path: /^\/version$/,
    async run(ctx) {
      const v = await callHandler<VersionResult>(ctx.handlers, 'system.version', {}, none());
      const info = await callHandler<InfoResult>(ctx.handlers, 'system.info', {}, none());
      const details = { ApiVersion: API_VERSION, MinAPIVersion: MIN_API_VERSION, Os: v.os, Arch: goArch(v.arch), KernelVersion: info.kernel, GitCommit: '', GoVersion: `node ${v.node}` };
      sendJson(ctx.res!, 200, {
        Platform: { Name: 'Berth' },
        Components: [{ Name: 'Engine', Version: v.version, Details: details }],
        Version: v.version,
        ...details,
        BuildTime: '',
      });
    },
  },
  {
    method: 'GET',
    path: /^\/info$/,
    async run(ctx) {
      const [i, v] = await Promise.all([
        callHandler<InfoResult>(ctx.handlers, 'system.info', {}, none()),
        callHandler<VersionResult>(ctx.handlers, 'system.version', {}, none()),
      ]);
      sendJson(ctx.res!, 200, {
        ID: '',
        Containers: i.containers,
        ContainersRunning: i.running,
        ContainersPaused: 0,
        ContainersStopped: i.stopped,
        Images: i.images,
        Driver: 'overlay2',
        DriverStatus: [],
        Plugins: { Volume: [], Network: ['none'], Authorization: null, Log: ['local', 'json-file', 'none'] },
        MemoryLimit: true,
        SwapLimit: true,
        CpuCfsPeriod: true,
        CpuCfsQuota: true,
        CPUShares: true,
        CPUSet: true,
        PidsLimit: true,
        IPv4Forwarding: false,
        Debug: false,
        NFd: 0,
        NGoroutines: 0,
        SystemTime: new Date().toISOString(),
        LoggingDriver: 'local',
        CgroupDriver: 'cgroupfs',
        CgroupVersion: i.cgroupLayout === 'v2' ? '2' : '1',
        KernelVersion: i.kernel,
        OperatingSystem: 'Linux',
        OSType: 'linux',
        Architecture: arch(v.arch),
        NCPU: cpus().length,
        MemTotal: totalmem(),
        DockerRootDir: i.root,
        Name: hostname(),
        Labels: [],
        ServerVersion: v.version,
        Runtimes: { berth: { path: i.runtime } },
        DefaultRuntime: 'berth',
        Swarm: { LocalNodeState: 'inactive' },
        SecurityOptions: ['name=seccomp,profile=builtin', 'name=cgroupns'],
        Warnings: [],
      });
    },
  },
  {
    method: 'GET',
    path: /^\/events$/,
    async run(ctx) {
      const sink = ctx.stream('application/json');
      await callHandler(ctx.handlers, 'system.events', {
        since: timeParam(ctx.query.get('since')),
        until: timeParam(ctx.query.get('until')),
        filters: filtersQuery(ctx.query),
      }, {
        onEvent: (ev: StreamEvent) => {
          if (ev.kind === 'event') sink.write(Buffer.from(`${JSON.stringify(dockerEvent(ev.event))}\n`));
        },
        signal: sink.signal,
      });
    },
  },
];
