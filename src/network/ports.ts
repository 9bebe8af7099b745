// Published ports (-p, -P): Docker's spec grammar, and the host ports made
// concrete at start (a random free port for 0; a port already taken, on the
// host or by another container, is refused).
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { BerthError } from '../errors.js';

export interface PortMapping {
  hostIP: string;
  /** 0: a random free port, picked at start */
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp' | 'sctp';
}

function portRange(s: string, spec: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(s);
  const a = m ? Number(m[1]) : NaN;
  const b = m?.[2] !== undefined ? Number(m[2]) : a;
  if (!m || a < 1 || b > 65535 || b < a) throw new BerthError('invalid_argument', `invalid port "${s}" in "${spec}": use a number or a range between 1 and 65535, e.g. 8080 or 8000-8010`);
  return [a, b];
}

/** -p [IP:][HOST[-END]:]CONTAINER[-END][/PROTO] */
export function parsePublish(spec: string): PortMapping[] {
  const slash = spec.lastIndexOf('/');
  const proto = slash >= 0 ? spec.slice(slash + 1) : 'tcp';
  if (proto !== 'tcp' && proto !== 'udp' && proto !== 'sctp') throw new BerthError('invalid_argument', `invalid protocol "${proto}" in "${spec}": use tcp, udp or sctp`);
  const body = slash >= 0 ? spec.slice(0, slash) : spec;
  const parts = body.split(':');
  if (parts.length > 3) throw new BerthError('invalid_argument', `invalid port spec "${spec}": use [IP:][HOST:]CONTAINER[/PROTO]`);
  const container = portRange(parts[parts.length - 1], spec);
  const host = parts.length >= 2 && parts[parts.length - 2] !== '' ? portRange(parts[parts.length - 2], spec) : null;
  const hostIP = parts.length === 3 ? parts[0] : '';
  if (hostIP !== '' && !/^\d{1,3}(\.\d{1,3}){3}$/.test(hostIP)) throw new BerthError('invalid_argument', `invalid host IP "${hostIP}" in "${spec}": give an IPv4 address`);
  const count = container[1] - container[0] + 1;
  if (host && host[1] - host[0] + 1 !== count) throw new BerthError('invalid_argument', `invalid port spec "${spec}": the host and container ranges differ in size`);
  return Array.from({ length: count }, (_, i) => ({ hostIP, hostPort: host ? host[0] + i : 0, containerPort: container[0] + i, protocol: proto }));
}

/** -P: every port the image EXPOSEs ("80/tcp"), on a random host port. */
/** --expose PORT[-END][/PROTO]: the "PORT/PROTO" keys of Config.ExposedPorts. */
export function exposedKeys(spec: string): string[] {
  if (spec.includes(':')) throw new BerthError('invalid_argument', `invalid --expose "${spec}": give a container port or range, e.g. --expose 80 or --expose 8000-8010/udp (publish host ports with -p)`);
  return parsePublish(spec).map((m) => `${m.containerPort}/${m.protocol}`);
}

export function exposedMappings(exposed: string[]): PortMapping[] {
  return exposed.flatMap((e) => parsePublish(e.includes('/') ? e : `${e}/tcp`));
}

/** Binds the port for a moment: a free one (0 → the kernel's pick) is returned, a taken one refused. */
function probe(m: PortMapping): Promise<number> {
  const host = m.hostIP || '0.0.0.0';
  const taken = () => new BerthError('conflict', `Bind for ${host}:${m.hostPort} failed: port is already allocated; choose another host port`);
  return new Promise((resolve, reject) => {
    if (m.protocol === 'udp') {
      const s = createSocket('udp4');
      s.once('error', () => reject(taken()));
      s.bind(m.hostPort, host, () => {
        const port = s.address().port;
        s.close(() => resolve(port));
      });
      return;
    }
    const srv = createServer();
    srv.once('error', () => reject(taken()));
    srv.listen(m.hostPort, host, () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Concrete host ports; `inUse` holds "proto/port" published by other containers. */
export async function allocatePorts(wanted: PortMapping[], inUse: Set<string>): Promise<PortMapping[]> {
  const out: PortMapping[] = [];
  for (const m of wanted) {
    if (m.hostPort !== 0 && inUse.has(`${m.protocol}/${m.hostPort}`)) {
      throw new BerthError('conflict', `Bind for ${m.hostIP || '0.0.0.0'}:${m.hostPort} failed: port is already allocated; choose another host port`);
    }
    const hostPort = m.protocol === 'sctp' ? m.hostPort : await probe(m);
    out.push({ ...m, hostPort });
    inUse.add(`${m.protocol}/${hostPort}`);
  }
  return out;
}
