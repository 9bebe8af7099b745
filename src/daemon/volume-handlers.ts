// The wire wrapper for volume calls: checks parameters, calls VolumeService.
import { optBool, optFilters, optString, optStringMap, str } from './params.js';
import type { Handler } from './call-context.js';
import type { VolumeService } from '../services/volume-service.js';
import type { MethodName } from '../protocol/methods.js';

export function volumeHandlers(v: VolumeService): Partial<Record<MethodName, Handler>> {
  return {
    'volume.create': (p) =>
      v.create({ name: optString(p, 'name'), driver: optString(p, 'driver'), labels: optStringMap(p, 'labels'), options: optStringMap(p, 'options') }),
    'volume.list': async (p) => v.list(optFilters(p, 'filters')),
    'volume.inspect': async (p) => v.inspect(str(p, 'name')),
    'volume.remove': (p) => v.remove(str(p, 'name'), optBool(p, 'force') ?? false),
    'volume.prune': (p) => v.prune(optBool(p, 'all') ?? false, optFilters(p, 'filters')),
  };
}
