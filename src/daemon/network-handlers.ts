// The wire wrapper for network calls: checks parameters, calls NetworkService.
import { optBool, optString, optStringMap, optStrings, str } from './params.js';
import type { Handler } from './call-context.js';
import type { NetworkService } from '../network/network-service.js';
import type { MethodName } from '../protocol/methods.js';

export function networkHandlers(n: NetworkService, containerId: (ref: string) => string): Partial<Record<MethodName, Handler>> {
  return {
    'network.create': (p) =>
      n.create({
        name: str(p, 'name'),
        subnet: optString(p, 'subnet'),
        gateway: optString(p, 'gateway'),
        internal: optBool(p, 'internal'),
        driver: optString(p, 'driver'),
        labels: optStringMap(p, 'labels'),
      }),
    'network.list': () => n.list(),
    'network.inspect': (p) => n.inspect(str(p, 'name')),
    'network.remove': (p) => n.remove(str(p, 'name')),
    'network.prune': () => n.prune(),
    'network.connect': (p) => n.connect(str(p, 'network'), containerId(str(p, 'container')), { ip: optString(p, 'ip'), aliases: optStrings(p, 'aliases') }),
    'network.endpoints': (p) => n.endpointsOf(containerId(str(p, 'container'))),
    'network.disconnect': (p) => n.disconnect(str(p, 'network'), containerId(str(p, 'container'))),
  };
}
