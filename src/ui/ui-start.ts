// Starts the visualizer for berthd (unless --ui-addr 0) and answers the
// control channel's `system.ui` with its URL.
import { join } from 'node:path';
import { BerthError } from '../errors.js';
import { packageRoot, type DaemonOptions } from '../daemon/options.js';
import type { MetadataDb } from '../store/db.js';
import type { ActorRouter } from '../workers/router.js';
import { startUiServer, type StatsSource, type UiServer } from './ui-server.js';
import { createUiToken } from './ui-token.js';

export interface UiInfo { url: string }

export async function startUi(opts: DaemonOptions, db: MetadataDb, router: ActorRouter, stats: StatsSource): Promise<{ info: () => UiInfo; close: () => Promise<void> }> {
  const unavailable = (why: string) => ({
    info: (): UiInfo => { throw new BerthError('not_found', `${why}; start berthd with --ui-addr 127.0.0.1:PORT`); },
    close: async () => {},
  });
  if (!opts.ui) return unavailable('the state visualizer is disabled on this daemon (berthd --ui-addr 0)');
  const token = await createUiToken(opts.execRoot);
  let server: UiServer;
  try {
    server = await startUiServer({ ...opts.ui, token, assetsDir: join(packageRoot(), 'dist/ui'), db, router, stats });
  } catch (err) {
    // The engine matters more than its viewer: a taken port costs the page, not the daemon.
    const why = `the state visualizer could not listen on ${opts.ui.host}:${opts.ui.port} (${(err as Error).message})`;
    process.stderr.write(`berthd: ${why}; running without it\n`);
    return unavailable(why);
  }
  process.stderr.write(`berthd: state visualizer on ${server.url.replace(/token=.*/, 'token=…')} (berth ui prints the full URL)\n`);
  return { info: () => ({ url: server.url }), close: () => server.close() };
}
