// The `host` and `none` networks as `network ls` and `network inspect` show
// them, as dockerd lists its predefined ones. They are network modes, not
// bridge networks: nothing is stored for them, their ids are derived from
// their names, and they cannot be created, removed or connected to.
import { createHash } from 'node:crypto';
import type { ContainerContext } from '../machines/container.js';

export const MODE_NETWORKS = [
  { name: 'host', driver: 'host' },
  { name: 'none', driver: 'null' },
] as const;

export type ModeNetwork = (typeof MODE_NETWORKS)[number];

const idOf = (name: string): string => createHash('sha256').update(`berth mode network ${name}`).digest('hex');

/** The mode network `ref` names (by name, id or id prefix), if any. */
export function findModeNetwork(ref: string): ModeNetwork | undefined {
  return MODE_NETWORKS.find((n) => n.name === ref || (ref.length > 0 && idOf(n.name).startsWith(ref)));
}

/** A mode network's document in Docker's shape; `running` are the running containers in that mode. */
export function modeNetworkDoc(n: ModeNetwork, running: Pick<ContainerContext, 'id' | 'name'>[]): Record<string, unknown> {
  return {
    Name: n.name,
    Id: idOf(n.name),
    Created: '0001-01-01T00:00:00Z',
    Scope: 'local',
    Driver: n.driver,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: [] },
    Internal: false,
    Attachable: false,
    Ingress: false,
    Containers: Object.fromEntries(running.map((c) => [c.id, { Name: c.name, EndpointID: '', MacAddress: '', IPv4Address: '', IPv6Address: '' }])),
    Options: {},
    Labels: {},
  };
}
