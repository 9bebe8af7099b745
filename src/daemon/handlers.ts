// The wire wrapper: maps control-channel methods onto the local services.
// Parameters arrive untyped from the network and are checked here.
import type { RegistryService } from '../services/registry-service.js';
import { BerthError } from '../errors.js';
import { optFilters, optString, optStrings, str } from './params.js';
import type { EventsService } from '../services/events-service.js';
import { exportJournal } from '../services/journal-export.js';
import type { MetadataDb } from '../store/db.js';
import { containerHandlers } from './container-handlers.js';
import { fsHandlers } from './fs-handlers.js';
import type { ContainerFsOps } from '../services/container-fs-ops.js';
import { volumeHandlers } from './volume-handlers.js';
import type { VolumeService } from '../services/volume-service.js';
import { networkHandlers } from './network-handlers.js';
import type { NetworkService } from '../network/network-service.js';
import type { Handler } from './call-context.js';
import type { ContainerService } from '../services/container-service.js';
import type { ImageService } from '../services/image-service.js';
import type { SystemService } from '../services/system-service.js';
import type { LoadService } from '../services/load-service.js';
import type { ImageOps } from '../services/image-ops.js';
import type { MethodName } from '../protocol/methods.js';





function names(params: Record<string, unknown>, key: string): string[] {
  const v = optStrings(params, key);
  if (!v || v.length === 0 || v.some((x) => x === '')) throw new BerthError('invalid_argument', `parameter "${key}" must be a non-empty list of names`);
  return v;
}

/** berth push and berth login (src/services/registry-service.ts). */
function registryHandlers(r: RegistryService): Partial<Record<MethodName, Handler>> {
  return {
    'image.push': (p, call) => r.push(str(p, 'ref'), optString(p, 'auth'), call),
    'system.login': (p) => r.login(str(p, 'server'), str(p, 'auth')),
  };
}

export function makeHandlers(s: { ui?: () => { url: string }; containers: ContainerService; images: ImageService; system: SystemService; load: LoadService; imageOps: ImageOps; events: EventsService; registry?: RegistryService; db: MetadataDb; fs?: ContainerFsOps; volumes?: VolumeService; networks?: NetworkService; containerIds?: (ref: string) => string }): Partial<Record<MethodName, Handler>> {
  return {
    'system.version': async () => s.system.getVersion(),
    'system.info': async () => s.system.getInfo(),
    ...(s.ui ? { 'system.ui': async () => s.ui!() } : {}),
    ...containerHandlers(s.containers),
    'system.events': (p, call) => s.events.stream({ since: optString(p, 'since'), until: optString(p, 'until'), filters: optFilters(p, 'filters') }, call),
    ...(s.registry ? registryHandlers(s.registry) : {}),
    ...(s.fs ? fsHandlers(s.fs) : {}),
    ...(s.volumes ? volumeHandlers(s.volumes) : {}),
    ...(s.networks && s.containerIds ? networkHandlers(s.networks, s.containerIds) : {}),
    ...(s.fs && s.volumes ? { 'system.df': async () => ({ ...(await s.fs!.df()), volumes: await s.volumes!.usage() }) } : {}),
    'image.pull': (p, call) => s.images.pull(str(p, 'ref'), call, { platform: optString(p, 'platform'), auth: optString(p, 'auth') }),
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
    'debug.journal': async (p) => exportJournal(s.db, { actor: optString(p, 'actor'), since: optString(p, 'since'), until: optString(p, 'until') }),
  };
}
