// The predefined default bridge network at daemon start: its record is made
// (as dockerd does, so `network ls` shows it; the device appears with the
// first container), and a changed --bip moves it to the new subnet when no
// container is attached to it.
import { execFile } from 'node:child_process';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { MetadataDb } from '../store/db.js';
import { bridgeConfig } from './bridge-config.js';
import { cniCacheDir, defaultNetwork, ipamDir, DEFAULT_NETWORK } from './network-store.js';
import { formatCidr, overlaps, parseCidr } from './subnet.js';

const run = promisify(execFile);

export async function prepareDefaultBridge(db: MetadataDb, root: string, warn: (line: string) => void): Promise<void> {
  const cfg = bridgeConfig();
  if (!cfg.enabled) return;
  const rec = await defaultNetwork(db);
  const bip = cfg.bip;
  if (!bip || (rec.subnet === bip.subnet && rec.gateway === bip.gateway)) return;
  const attached = (await readdir(cniCacheDir(root)).catch(() => [] as string[])).filter((f) => f.startsWith(`${DEFAULT_NETWORK}-`));
  if (attached.length > 0) {
    warn(`berthd: --bip ${bip.gateway}: the default bridge keeps ${rec.gateway} on ${rec.subnet} while ${attached.length} container(s) are attached to it; stop them and restart berthd to move it`);
    return;
  }
  const wanted = parseCidr(bip.subnet);
  for (const { value } of db.networks.getRange()) {
    if (value.id !== rec.id && overlaps(parseCidr(value.subnet), wanted)) {
      warn(`berthd: --bip ${bip.gateway}: ${formatCidr(wanted)} overlaps with network ${value.name} (${value.subnet}); the default bridge keeps ${rec.subnet}`);
      return;
    }
  }
  await run('ip', ['link', 'del', rec.bridge]).catch(() => {}); // drops the old gateway address
  await rm(join(ipamDir(root), DEFAULT_NETWORK), { recursive: true, force: true });
  await db.networks.put(rec.id, { ...rec, subnet: bip.subnet, gateway: bip.gateway });
}
