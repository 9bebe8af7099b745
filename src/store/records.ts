// Records kept in LMDB besides the journal.
import type { ImageHealthcheck } from '../machines/health-config.js';
import type { ActorKind } from './journal-entry.js';

export interface ActorRecord {
  actorId: string;
  kind: ActorKind;
  /** xstate persisted snapshot (actor.getPersistedSnapshot()) */
  snapshot: unknown;
  /** seq of the last journal entry for this actor */
  seq: number;
  /** input the actor was created with (needed to re-create it) */
  input: unknown;
}

export interface ImageLayerRef {
  chainId: string;
  diffId: string;
  /** compressed blob the layer was unpacked from */
  blobDigest: string;
}

export interface ImageRecord {
  id: string;                 // config digest
  manifestDigest: string;
  repoTags: string[];         // normalised references (registry/repo:tag)
  repoDigests: string[];      // registry/repo@sha256:...
  config: ImageRunConfig;
  layers: ImageLayerRef[];    // bottom to top
  size: number;               // sum of unpacked layer sizes
  created: string | null;
}

export interface LayerRecord {
  chainId: string;
  diffId: string;
  blobDigest: string;
  /** directory holding the unpacked content (overlay lowerdir) */
  path: string;
  size: number;
  committedAt: string;
  /** its blob, received into memory, is still being written to the content store (src/store/pending-blobs.ts) */
  blobPending?: boolean;
}

/** The part of an image's config that decides how its containers run. */
export interface ImageRunConfig {
  Env?: string[];
  Cmd?: string[];
  Entrypoint?: string[];
  WorkingDir?: string;
  User?: string;
  Labels?: Record<string, string>;
  StopSignal?: string;
  Healthcheck?: ImageHealthcheck;
}

/** A named or anonymous volume of the local driver; its data lives in ROOT/volumes/<name>/_data. */
export interface VolumeRecord {
  name: string;
  driver: 'local';
  labels: Record<string, string>;
  /** -o driver options: type, device, o (as Docker's local driver takes them) */
  options: Record<string, string>;
  createdAt: string;
  /** created for an image VOLUME or a -v /path without a name */
  anonymous: boolean;
}

/** A bridge network: its CNI configuration list is generated from this record. */
export interface NetworkRecord {
  id: string;
  name: string;
  driver: 'bridge';
  /** the Linux bridge device */
  bridge: string;
  subnet: string;
  gateway: string;
  /** the subnet came from --subnet (then containers may ask for an --ip) */
  userSubnet?: boolean;
  internal: boolean;
  labels: Record<string, string>;
  createdAt: string;
}
