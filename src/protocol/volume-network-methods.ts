// Volume and network calls (issue 6): parameters and results shared by the daemon's
// handlers and the CLI.

export interface VolumeCreateParams {
  name?: string;
  driver?: string;
  labels?: Record<string, string>;
  /** -o KEY=VALUE driver options: type, device, o */
  options?: Record<string, string>;
}

/** Docker's volume document (`volume inspect`, one `volume ls` row). */
export interface VolumeDoc {
  CreatedAt: string;
  Driver: string;
  Labels: Record<string, string>;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string>;
  Scope: 'local';
}

export interface VolumeMethods {
  'volume.create': { params: VolumeCreateParams; result: VolumeDoc };
  'volume.list': { params: { filters?: Record<string, string[]> }; result: VolumeDoc[] };
  'volume.inspect': { params: { name: string }; result: VolumeDoc };
  'volume.remove': { params: { name: string; force?: boolean }; result: null };
  'volume.prune': { params: { all?: boolean; filters?: Record<string, string[]> }; result: { deleted: string[]; spaceReclaimed: number } };
}

/** Network calls (issue 6). */
export interface NetworkMethods {
  'network.create': { params: { name: string; subnet?: string; gateway?: string; internal?: boolean; driver?: string; labels?: Record<string, string> }; result: { id: string } };
  'network.list': { params: Record<string, never>; result: Record<string, unknown>[] };
  'network.inspect': { params: { name: string }; result: Record<string, unknown> };
  'network.remove': { params: { name: string }; result: null };
  'network.prune': { params: Record<string, never>; result: { deleted: string[] } };
  'network.connect': { params: { network: string; container: string; ip?: string; aliases?: string[] }; result: null };
  /** one container's networks, aliases and addresses (Docker API inspect) */
  'network.endpoints': { params: { container: string }; result: import('../network/container-endpoints.js').EndpointInfo[] };
  'network.disconnect': { params: { network: string; container: string }; result: null };
}
