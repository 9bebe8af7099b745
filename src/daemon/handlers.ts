// The wire wrapper: maps control-channel methods onto the local services.
// Parameters arrive untyped from the network and are checked here.
import { BerthError } from '../errors.js';
import type { Handler } from './call-context.js';
import type { ContainerService } from '../services/container-service.js';
import type { ImageService } from '../services/image-service.js';
import type { SystemService } from '../services/system-service.js';
import type { LoadService } from '../services/load-service.js';
import type { ImageOps } from '../services/image-ops.js';
import type { RunParams } from '../protocol/methods.js';
import type { MethodName } from '../protocol/methods.js';

function str(params: Record<string, unknown>, key: string): string {
  const v = params[key];
  if (typeof v !== 'string' || v === '') throw new BerthError('invalid_argument', `parameter "${key}" must be a non-empty string`);
  return v;
}

function optStrings(params: Record<string, unknown>, key: string): string[] | undefined {
  const v = params[key];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new BerthError('invalid_argument', `parameter "${key}" must be a list of strings`);
  return v as string[];
}

function optString(params: Record<string, unknown>, key: string): string | undefined {
  const v = params[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new BerthError('invalid_argument', `parameter "${key}" must be a string`);
  return v;
}

function runParams(params: Record<string, unknown>): RunParams {
  return {
    image: str(params, 'image'),
    cmd: optStrings(params, 'cmd'),
    entrypoint: optStrings(params, 'entrypoint'),
    env: optStrings(params, 'env'),
    workdir: optString(params, 'workdir'),
    name: optString(params, 'name'),
    autoRemove: params.autoRemove === true,
    detach: params.detach === true,
  };
}

function names(params: Record<string, unknown>, key: string): string[] {
  const v = optStrings(params, key);
  if (!v || v.length === 0 || v.some((x) => x === '')) throw new BerthError('invalid_argument', `parameter "${key}" must be a non-empty list of names`);
  return v;
}

export function makeHandlers(s: { containers: ContainerService; images: ImageService; system: SystemService; load: LoadService; imageOps: ImageOps }): Record<MethodName, Handler> {
  return {
    'system.version': async () => s.system.getVersion(),
    'system.info': async () => s.system.getInfo(),
    'image.pull': (p, call) => s.images.pull(str(p, 'ref'), call),
    'image.list': async (p) => s.images.list({ filters: optStrings(p, 'filters'), all: p.all === true }),
    'image.tag': (p) => s.imageOps.tag(str(p, 'source'), str(p, 'target')),
    'image.remove': (p) => s.imageOps.remove(str(p, 'name'), p.force === true),
    'image.prune': (p) => s.imageOps.prune(p.all === true),
    'image.inspect': (p) => s.imageOps.inspect(str(p, 'name')),
    'image.history': (p) => s.imageOps.history(str(p, 'name')),
    'image.save': (p, call) => s.imageOps.save(names(p, 'names'), call),
    'image.import': (p, call) => s.imageOps.import({ repository: optString(p, 'repository'), changes: optStrings(p, 'changes'), message: optString(p, 'message'), source: optString(p, 'source') }, call),
    'container.export': (p, call) => s.imageOps.exportContainer(str(p, 'id'), call),
    'image.load': (_p, call) => s.load.load(call),
    'container.run': (p, call) => s.containers.run(runParams(p), call),
    'container.list': async (p) => s.containers.list(p.all === true),
    'container.logs': (p, call) => s.containers.logs(str(p, 'id'), call),
    'container.stop': (p) => s.containers.stop(str(p, 'id'), typeof p.timeout === 'number' ? p.timeout : undefined),
    'container.remove': (p) => s.containers.remove(str(p, 'id'), p.force === true),
  };
}
