// The daemon's LMDB environment: one file under ROOT, several named databases.
// Every thread that needs metadata (the main thread, each actor host) opens
// its own handle on the same environment; LMDB serialises writers.
import { open, type Database, type RootDatabase } from 'lmdb';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { JournalEntry } from './journal-entry.js';
import type { ImageRecord, LayerRecord, NetworkRecord, VolumeRecord } from './records.js';
import type { ActorRecord } from './records.js';

export interface MetadataDb {
  root: RootDatabase;
  /** seq → one machine transition; append-only. */
  journal: Database<JournalEntry, number>;
  /** actorId → the actor's latest persisted snapshot. */
  actors: Database<ActorRecord, string>;
  /** image id (config digest) → image. */
  images: Database<ImageRecord, string>;
  /** normalised reference (registry/repo:tag) → image id. */
  tags: Database<string, string>;
  /** chain id → unpacked layer. */
  layers: Database<LayerRecord, string>;
  /** container name → container id. */
  names: Database<string, string>;
  /** volume name → volume. */
  volumes: Database<VolumeRecord, string>;
  /** network id → network. */
  networks: Database<NetworkRecord, string>;
  /** counters and markers. */
  meta: Database<unknown, string>;
}

export function openMetadataDb(root: string): MetadataDb {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  // overlappingSync off: a commit is on disk when it returns (or its promise
  // resolves), which is what a reply to a client promises. lmdb-js's default
  // on Linux resolves at commit and flushes later.
  const rootDb = open({ path: join(root, 'metadata.lmdb'), compression: false, maxDbs: 16, overlappingSync: false });
  return {
    root: rootDb,
    journal: rootDb.openDB<JournalEntry, number>({ name: 'journal' }),
    actors: rootDb.openDB<ActorRecord, string>({ name: 'actors' }),
    images: rootDb.openDB<ImageRecord, string>({ name: 'images' }),
    tags: rootDb.openDB<string, string>({ name: 'tags' }),
    layers: rootDb.openDB<LayerRecord, string>({ name: 'layers' }),
    names: rootDb.openDB<string, string>({ name: 'names' }),
    volumes: rootDb.openDB<VolumeRecord, string>({ name: 'volumes' }),
    networks: rootDb.openDB<NetworkRecord, string>({ name: 'networks' }),
    meta: rootDb.openDB<unknown, string>({ name: 'meta' }),
  };
}
