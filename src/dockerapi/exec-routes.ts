// Docker's two-step exec: POST /containers/{id}/exec records what to run,
// POST /exec/{id}/start runs it (Berth's container.exec), POST
// /exec/{id}/resize sizes its terminal, GET /exec/{id}/json reports it. The
// records belong to one API server (execRoutes() makes a fresh set).
import { randomBytes } from 'node:crypto';
import { callHandler, type Handlers } from './handler-call.js';
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
  /** Berth's id of the running process (from its container-id event): what a resize addresses */
  berthExecId?: string;
  /** a size asked for before the exec was started (clients size the terminal as they start it) */
  pendingSize?: { rows: number; cols: number };
  /** settles once a started exec's process exists (berthExecId known) or it ended without one */
  started?: Promise<void>;
}

/** How long a resize waits for a started exec's process to exist. */
const START_WAIT_MS = 10_000;

const KEEP_MS = 3600_000;

/** Execs created through the API, until an hour after they end (Docker keeps them with the container). */
class ExecRecords {
  private readonly execs = new Map<string, ExecRecord>();

  add(e: ExecRecord): void {
    const now = Date.now();
    for (const [id, old] of this.execs) if (!old.running && now - old.created > KEEP_MS) this.execs.delete(id);
    this.execs.set(e.id, e);
  }

  lookup(id: string): ExecRecord {
    const e = this.execs.get(id);
    if (!e) throw new ApiError(404, `No such exec instance: ${id}`);
    return e;
  }
}

const none = () => ({ signal: new AbortController().signal });

function resize(handlers: Handlers, e: ExecRecord, size: { rows: number; cols: number }): Promise<unknown> {
  return callHandler(handlers, 'container.resize', { id: e.containerId, execId: e.berthExecId, ...size }, none());
}

export function execRoutes(): Route[] {
  const records = new ExecRecords();
  const lookup = (id: string) => records.lookup(id);
  return [
    {
      method: 'POST',
      path: /^\/containers\/([^/]+)\/exec$/,
      async run(ctx) {
        const body = (await ctx.body<ExecCreateBody>()) ?? {};
        if (!Array.isArray(body.Cmd) || body.Cmd.length === 0) throw new ApiError(400, 'No exec command specified');
        const info = await callHandler<{ Id: string; State: { Running: boolean } }>(ctx.handlers, 'container.inspect', { id: ctx.params[0] }, none());
        if (!info.State.Running) throw new ApiError(409, `Container ${info.Id} is not running`);
        const id = randomBytes(32).toString('hex');
        records.add({ id, containerId: info.Id, config: body, running: false, exitCode: null, created: Date.now() });
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
        let markStarted = () => {};
        e.started = new Promise<void>((r) => (markStarted = r));
        try {
          if (start.Detach) {
            await callHandler(ctx.handlers, 'container.exec', params, none());
            ctx.res?.writeHead(200);
            ctx.res?.end();
            return;
          }
          const sink = ctx.stream(params.tty ? RAW_STREAM : MULTIPLEXED);
          const write = outputWriter(sink, params.tty, { stdout: c.AttachStdout !== false, stderr: c.AttachStderr !== false });
          const r = await callHandler<{ exitCode?: number }>(ctx.handlers, 'container.exec', params, {
            onEvent: (ev) => {
              if (ev.kind !== 'container-id') return write(ev);
              e.berthExecId = ev.id;
              markStarted();
              // best effort, as the client's own resize would have been
              if (e.pendingSize) void resize(ctx.handlers, e, e.pendingSize).catch(() => {});
            },
            drained: sink.drained,
            upload: params.interactive ? sink.stdin : undefined,
            signal: sink.signal,
          });
          e.exitCode = r.exitCode ?? 0;
        } finally {
          markStarted();
          e.running = false;
          e.exitCode ??= start.Detach ? null : -1;
        }
      },
    },
    {
      method: 'POST',
      path: /^\/exec\/([^/]+)\/resize$/,
      async run(ctx) {
        const e = lookup(ctx.params[0]);
        const size = { rows: Number(ctx.query.get('h')), cols: Number(ctx.query.get('w')) };
        if (![size.rows, size.cols].every((n) => Number.isInteger(n) && n >= 1 && n <= 10000)) {
          throw new ApiError(400, `invalid terminal size h=${ctx.query.get('h')} w=${ctx.query.get('w')}: both must be whole numbers from 1 to 10000`);
        }
        if (e.exitCode !== null) throw new ApiError(409, `exec ${e.id} has ended`);
        if (e.config.Tty !== true) throw new ApiError(400, `exec ${e.id} has no terminal to resize`);
        // Started but its process not there yet (a client sizes the terminal
        // right after the start): the reply waits until the size is applied,
        // so that what the client sends next sees it.
        if (e.running && !e.berthExecId && e.started) {
          await Promise.race([e.started, new Promise((r) => setTimeout(r, START_WAIT_MS).unref())]);
        }
        if (e.berthExecId && e.running) await resize(ctx.handlers, e, size);
        else if (e.exitCode !== null) throw new ApiError(409, `exec ${e.id} has ended`);
        else e.pendingSize = size;
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
}
