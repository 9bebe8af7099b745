// The wire wrapper for container calls: checks parameters, calls ContainerService.
import { BerthError } from '../errors.js';
import { optBool, optFilters, optNumber, optString, optStringMap, optStrings, str, type Params } from './params.js';
import type { Handler } from './call-context.js';
import { checkMountRequests } from '../services/container-mounts.js';
import { hostParams } from './host-params.js';
import { checkPullPolicy } from '../services/create-image.js';
import type { ImageHealthcheck } from '../machines/health-config.js';
import type { ContainerService } from '../services/container-service.js';
import type { MethodName, RunParams } from '../protocol/methods.js';

/** Docker's Healthcheck object: Test a string array, times and Retries non-negative numbers. */
function optHealthcheck(p: Params): ImageHealthcheck | undefined {
  const v = p.healthcheck;
  if (v === undefined || v === null) return undefined;
  const bad = (why: string) => new BerthError('invalid_argument', `invalid healthcheck: ${why}`);
  if (typeof v !== 'object' || Array.isArray(v)) throw bad('expected an object with Test, Interval, Timeout, StartPeriod, StartInterval, Retries');
  const h = v as Record<string, unknown>;
  const out: ImageHealthcheck = {};
  if (h.Test !== undefined) {
    if (!Array.isArray(h.Test) || !h.Test.every((x) => typeof x === 'string')) throw bad('Test must be an array of strings');
    out.Test = h.Test as string[];
  }
  for (const k of ['Interval', 'Timeout', 'StartPeriod', 'StartInterval', 'Retries'] as const) {
    const n = h[k];
    if (n === undefined) continue;
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) throw bad(`${k} must be a non-negative number`);
    out[k] = n;
  }
  return out;
}

function logDriver(p: Params): RunParams['logDriver'] {
  const v = optString(p, 'logDriver');
  if (v === undefined) return undefined;
  if (v !== 'local' && v !== 'json-file' && v !== 'none') throw new BerthError('invalid_argument', `log driver "${v}" is not supported: use local, json-file or none`);
  return v;
}

function runParams(p: Params): RunParams {
  return {
    image: str(p, 'image'),
    platform: optString(p, 'platform'),
    auth: optString(p, 'auth'),
    pull: checkPullPolicy(optString(p, 'pull')),
    cmd: optStrings(p, 'cmd'),
    entrypoint: optStrings(p, 'entrypoint'),
    env: optStrings(p, 'env'),
    workdir: optString(p, 'workdir'),
    name: optString(p, 'name'),
    autoRemove: optBool(p, 'autoRemove'),
    hostname: optString(p, 'hostname'),
    domainname: optString(p, 'domainname'),
    user: optString(p, 'user'),
    labels: optStringMap(p, 'labels'),
    annotations: optStringMap(p, 'annotations'),
    restart: optString(p, 'restart'),
    stopSignal: optString(p, 'stopSignal'),
    stopTimeout: optNumber(p, 'stopTimeout'),
    tty: optBool(p, 'tty'),
    openStdin: optBool(p, 'openStdin'),
    logDriver: logDriver(p),
    logOpts: optStringMap(p, 'logOpts'),
    mounts: checkMountRequests(p.mounts),
    network: optString(p, 'network'),
    addHosts: optStrings(p, 'addHosts'),
    dns: optStrings(p, 'dns'),
    dnsSearch: optStrings(p, 'dnsSearch'),
    dnsOptions: optStrings(p, 'dnsOptions'),
    networkAliases: optStrings(p, 'networkAliases'),
    ip: optString(p, 'ip'),
    publish: optStrings(p, 'publish'),
    publishAll: optBool(p, 'publishAll'),
    expose: optStrings(p, 'expose'),
    host: hostParams(p),
    healthcheck: optHealthcheck(p),
    noHealthcheck: optBool(p, 'noHealthcheck'),
    detach: optBool(p, 'detach'),
  };
}

function waitCondition(p: Params): 'not-running' | 'next-exit' | 'removed' | undefined {
  const v = optString(p, 'condition');
  if (v === undefined || v === 'not-running' || v === 'next-exit' || v === 'removed') return v;
  throw new BerthError('invalid_argument', `invalid wait condition "${v}": use not-running, next-exit or removed`);
}

export function containerHandlers(c: ContainerService): Partial<Record<MethodName, Handler>> {
  return {
    'container.run': (p, call) => c.run(runParams(p), call),
    'container.create': async (p, call) => ({ id: await c.create(runParams(p), call), warnings: [] }),
    'container.start': (p, call) => c.start(str(p, 'id'), optBool(p, 'attach') ?? false, optBool(p, 'interactive') ?? false, call),
    'container.attach': (p, call) => c.attach(str(p, 'id'), optBool(p, 'stdin') ?? false, call, optBool(p, 'beforeStart') ?? false),
    'container.list': async (p) => c.listWithNetworking({ all: optBool(p, 'all'), filters: optFilters(p, 'filters'), limit: optNumber(p, 'limit') }),
    'container.logs': (p, call) =>
      c.logs(
        { id: str(p, 'id'), follow: optBool(p, 'follow'), tail: optNumber(p, 'tail'), timestamps: optBool(p, 'timestamps'), since: optString(p, 'since'), until: optString(p, 'until') },
        call,
      ),
    'container.stop': (p) => c.stop(str(p, 'id'), optNumber(p, 'timeout')),
    'container.restart': (p) => c.restart(str(p, 'id'), optNumber(p, 'timeout')),
    'container.kill': (p) => c.kill(str(p, 'id'), optString(p, 'signal')),
    'container.wait': (p) => c.wait(str(p, 'id'), waitCondition(p)),
    'container.pause': (p) => c.pause(str(p, 'id'), true),
    'container.unpause': (p) => c.pause(str(p, 'id'), false),
    'container.rename': (p) => c.rename(str(p, 'id'), str(p, 'name')),
    'container.update': (p) => c.update(str(p, 'id'), hostParams(p) ?? {}, optString(p, 'restart')),
    'container.resize': (p) => c.resize(str(p, 'id'), optNumber(p, 'rows') ?? 0, optNumber(p, 'cols') ?? 0, optString(p, 'execId')),
    'container.inspect': (p) => c.inspect(str(p, 'id')),
    'container.remove': (p) => c.remove(str(p, 'id'), optBool(p, 'force') ?? false, optBool(p, 'volumes') ?? false),
    'container.prune': (p) => c.prune(optFilters(p, 'filters')),
    'container.port': (p) => c.ports(str(p, 'id')),
    'container.top': (p) => c.top(str(p, 'id')),
    'container.exec': (p, call) =>
      c.exec(
        { id: str(p, 'id'), cmd: optStrings(p, 'cmd') ?? [], env: optStrings(p, 'env'), workdir: optString(p, 'workdir'), user: optString(p, 'user'), tty: optBool(p, 'tty'), interactive: optBool(p, 'interactive'), detach: optBool(p, 'detach'), privileged: optBool(p, 'privileged') },
        call,
      ),
    'container.stats': (p, call) => c.stats(optStrings(p, 'ids') ?? [], optBool(p, 'all') ?? false, optBool(p, 'stream') === true ? call : undefined),
  };
}
