// The invariants a chaos run checks after every fault (issue 8):
// - every container acknowledged to a client exists, every acknowledged
//   removal stays removed, and acknowledged log lines are still there;
// - a container is running or paused exactly when its process is alive;
// - no mount, shim or cgroup outlives its container;
// - every stored blob matches its digest and no image lacks a layer.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestDaemon } from '../fixtures/daemon.js';
import { bridgePorts, cgroupIds, cniCacheIds, ipamOwners, mountedRootIds, netnsIds, processAlive, shimIds } from './kernel-state.js';
import type { Model } from './model.js';
import { openMetadataDb } from '../../src/store/db.js';

interface Inspected {
  Id: string;
  Name: string;
  State: { Status: string; Pid: number; Running: boolean; Paused: boolean; Restarting: boolean };
}

function inspectAll(d: TestDaemon): Inspected[] {
  const ids = d.berth(['ps', '-aq', '--no-trunc']);
  if (ids.code !== 0) throw new Error(`ps failed: ${ids.stderr}`);
  const list = ids.stdout.split('\n').filter(Boolean);
  if (list.length === 0) return [];
  const r = d.berth(['container', 'inspect', ...list]);
  // a container may go away between ps and inspect (an --rm container)
  return r.stdout.trim() ? (JSON.parse(r.stdout) as Inspected[]) : [];
}

export function checkContainers(d: TestDaemon, model: Model): string[] {
  const problems: string[] = [];
  const all = inspectAll(d);
  const byName = new Map(all.map((c) => [c.Name.replace(/^\//, ''), c]));
  for (const c of model.containers.values()) {
    const found = byName.get(c.name);
    if (c.removed === 'yes' && found) problems.push(`${c.name}: removal was acknowledged but the container is back`);
    if (c.removed === 'no' && c.created === 'yes' && !found) problems.push(`${c.name}: creation was acknowledged but the container is lost`);
    if (found) {
      c.id = found.Id;
      if (c.removed === 'maybe') c.removed = 'no';
      if (c.created === 'maybe') c.created = 'yes';
    }
  }
  const shims = shimIds(d.dir);
  const mounts = mountedRootIds(d.root);
  for (const c of all) {
    const live = c.State.Status === 'running' || c.State.Status === 'paused';
    const name = c.Name.replace(/^\//, '');
    if (c.State.Status === 'dead') problems.push(`${name}: dead`);
    if (live && !processAlive(c.State.Pid)) problems.push(`${name}: ${c.State.Status} but its process ${c.State.Pid} is gone`);
    if (live && !shims.has(c.Id)) problems.push(`${name}: ${c.State.Status} without a shim`);
    if (!live && c.State.Status !== 'restarting' && c.State.Status !== 'removing') {
      if (shims.has(c.Id)) problems.push(`${name}: ${c.State.Status} but its shim still runs`);
      if (mounts.has(c.Id)) problems.push(`${name}: ${c.State.Status} but its root is still mounted`);
    }
  }
  const liveIds = new Set(all.filter((c) => ['running', 'paused', 'restarting'].includes(c.State.Status)).map((c) => c.Id));
  const seen = [...model.containers.values()].map((c) => c.id).filter((x): x is string => !!x);
  for (const id of shims) if (!liveIds.has(id)) problems.push(`shim of ${id.slice(0, 12)} runs for a container that is not running`);
  for (const id of mounts) if (!liveIds.has(id)) problems.push(`root of ${id.slice(0, 12)} is mounted for a container that is not running`);
  for (const id of cgroupIds(seen)) if (!liveIds.has(id)) problems.push(`cgroup of ${id.slice(0, 12)} is left behind`);
  // networks: namespaces, IP allocations, cached CNI results and veths only for live containers
  const live16 = new Set([...liveIds].map((id) => id.slice(0, 16)));
  for (const id16 of netnsIds(d.execRoot)) if (!live16.has(id16)) problems.push(`network namespace of ${id16.slice(0, 12)} is left behind`);
  for (const id of ipamOwners(d.root)) if (!liveIds.has(id)) problems.push(`IP address of ${id.slice(0, 12)} is still allocated`);
  for (const id of cniCacheIds(d.root)) if (!liveIds.has(id)) problems.push(`CNI result of ${id.slice(0, 12)} is left behind`);
  if (model.bridge) {
    const onNet = all.filter((c) => liveIds.has(c.Id) && model.containers.get(c.Name.replace(/^\//, ''))?.network).length;
    const ports = bridgePorts(model.bridge);
    if (ports > onNet) problems.push(`${ports} veths on ${model.bridge} for ${onNet} running containers on it`);
  }
  for (const c of model.containers.values()) {
    if (!c.logLine || c.removed !== 'no' || !byName.has(c.name)) continue;
    const logs = d.berth(['logs', c.name]);
    const count = logs.stdout.split('\n').filter((l) => l === c.logLine).length;
    if (count !== 1) problems.push(`${c.name}: acknowledged log line "${c.logLine}" appears ${count} times`);
  }
  return problems;
}

/** Blobs match their digests; images name only committed layers. Reads LMDB alongside the daemon. */
export async function checkStore(d: TestDaemon): Promise<string[]> {
  const problems: string[] = [];
  const blobs = join(d.root, 'content', 'blobs', 'sha256');
  if (existsSync(blobs)) {
    for (const hex of readdirSync(blobs)) {
      const actual = createHash('sha256').update(readFileSync(join(blobs, hex))).digest('hex');
      if (actual !== hex) problems.push(`blob sha256:${hex.slice(0, 12)} is corrupt (content hashes to ${actual.slice(0, 12)})`);
    }
  }
  const db = openMetadataDb(d.root);
  try {
    for (const { value: image } of db.images.getRange()) {
      for (const l of image.layers) {
        const layer = db.layers.get(l.chainId);
        if (!layer) problems.push(`image ${image.id.slice(7, 19)} names layer ${l.chainId.slice(7, 19)}, which is not committed`);
        else if (!existsSync(layer.path)) problems.push(`layer ${l.chainId.slice(7, 19)} is committed but ${layer.path} is missing`);
      }
    }
  } finally {
    await db.root.close();
  }
  return problems;
}
