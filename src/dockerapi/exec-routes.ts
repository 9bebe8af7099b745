// Docker's two-step exec: POST /containers/{id}/exec records what to run,
// POST /exec/{id}/start runs it (Berth's container.exec), GET /exec/{id}/json
// reports it.
import { randomBytes } from 'node:crypto';
import { callHandler } from './handler-call.js';
import { ApiError, sendJson } from './http-util.js';
import { outputWriter } from './container-routes.js';
import { MULTIPLEXED, RAW_STREAM } from './stdcopy.js';
import type { Route } from './route.js';

interface ExecCreateBody {
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Tty?: boolean;
  Cmd?: string[];
  Env?: string[] | null;
  WorkingDir?: string;
  User?: string;
  Privileged?: boolean;
}

interface ExecRecord {
  id: string;
  containerId: string;
  config: ExecCreateBody;
  running: boolean;
  exitCode: number | null;
  created: number;
}

/** Execs created through the API, until an hour after they end (Docker keeps them with the container). */
const execs = new Map<string, ExecRecord>();
const KEEP_MS = 3600_000;

function forget(): void {
  const now = Date.now();
  for (const [id, e] of execs) if (!e.running && now - e.created > KEEP_MS) execs.delete(id);
}

function lookup(id: string): ExecRecord {
  const e = execs.get(id);
  if (!e) throw new ApiError(404, `No such exec instance: ${id}`);
  return e;
}

const none = () => ({ signal: new AbortController().signal });

export const execRoutes: Route[] = [
  {
    method: 'POST',
    path: /^\/containers\/([^/]+)\/exec$/,
    async run(ctx) {
      const body = (await ctx.body<ExecCreateBody>()) ?? {};
      if (!Array.isArray(body.Cmd) || body.Cmd.length === 0) throw new ApiError(400, 'No exec command specified');
      const info = await callHandler<{ Id: string; State: { Running: boolean } }>(ctx.handlers, 'container.inspect', { id: ctx.params[0] }, none());
      if (!info.State.Running) throw new ApiError(409, `Container ${info.Id} is not running`);
      forget();
      const id = randomBytes(32).toString('hex');
      execs.set(id, { id, containerId: info.Id, config: body, running: false, exitCode: null, created: Date.now() });
      sendJson(ctx.res!, 201, { Id: id });
    },
  },
  {
    method: 'POST',
    path: /^\/exec\/([^/]+)\/start$/,
    async run(ctx) {
      const e = lookup(ctx.params[0]);
      if (e.running || e.exitCode !== null) throw new ApiError(409, `exec ${e.id} has already run`);
      const start = (await ctx.body<{ Detach?: boolean; Tty?: boolean }>()) ?? {};
      const c = e.config;
      const params = {
        id: e.containerId,
        cmd: c.Cmd,
        ...(c.Env && c.Env.length ? { env: c.Env } : {}),
        ...(c.WorkingDir ? { workdir: c.WorkingDir } : {}),
        ...(c.User ? { user: c.User } : {}),
        tty: c.Tty === true || start.Tty === true,
        ...(c.Privileged ? { privileged: true } : {}),
        interactive: c.AttachStdin === true,
        detach: start.Detach === true,
      };
      e.running = true;
      try {
        if (start.Detach) {
          await callHandler(ctx.handlers, 'container.exec', params, none());
          ctx.res?.writeHead(200);
          ctx.res?.end();
          return;
        }
        const sink = ctx.stream(params.tty ? RAW_STREAM : MULTIPLEXED);
        const r = await callHandler<{ exitCode?: number }>(ctx.handlers, 'container.exec', params, {
          onEvent: outputWriter(sink, params.tty, { stdout: c.AttachStdout !== false, stderr: c.AttachStderr !== false }),
          drained: sink.drained,
          upload: params.interactive ? sink.stdin : undefined,
          signal: sink.signal,
        });
        e.exitCode = r.exitCode ?? 0;
      } finally {
        e.running = false;
        e.exitCode ??= start.Detach ? null : -1;
      }
    },
  },
  {
    method: 'POST',
    path: /^\/exec\/([^/]+)\/resize$/,
    async run(ctx) {
      lookup(ctx.params[0]);
      ctx.res!.writeHead(200);
      ctx.res!.end();
    },
  },
  {
    method: 'GET',
    path: /^\/exec\/([^/]+)\/json$/,
    async run(ctx) {
      const e = lookup(ctx.params[0]);
      const cmd = e.config.Cmd ?? [];
      sendJson(ctx.res!, 200, {
        ID: e.id,
        Running: e.running,
        ExitCode: e.exitCode,
        ProcessConfig: { tty: e.config.Tty === true, entrypoint: cmd[0], arguments: cmd.slice(1), privileged: e.config.Privileged === true, user: e.config.User ?? '' },
        OpenStdin: e.config.AttachStdin === true,
        OpenStderr: e.config.AttachStderr !== false,
        OpenStdout: e.config.AttachStdout !== false,
        CanRemove: false,
        ContainerID: e.containerId,
        DetachKeys: '',
        Pid: 0,
      });
    },
  },
];
