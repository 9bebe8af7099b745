#!/usr/bin/env node
// npm run chaos -- [--seed N] [--minutes M | --steps S] [--replay FILE]
// Runs the chaos driver (test/chaos) against a real daemon for longer than
// CI does. Needs a build (npm run build) and root.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join, resolve } from 'node:path';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const env = { ...process.env };
const args = process.argv.slice(2);
const usage = 'usage: npm run chaos -- [--seed N] [--minutes M | --steps S] [--replay FILE]';
for (let i = 0; i < args.length; i++) {
  const flag = args[i];
  const value = args[++i];
  if (value === undefined) {
    console.error(`${flag} needs a value\n${usage}`);
    process.exit(2);
  }
  const number = () => {
    if (!/^\d+$/.test(value)) {
      console.error(`${flag} takes a whole number, not "${value}"\n${usage}`);
      process.exit(2);
    }
    return value;
  };
  if (flag === '--seed') env.CHAOS_SEED = number();
  else if (flag === '--minutes') env.CHAOS_MINUTES = number();
  else if (flag === '--steps') env.CHAOS_STEPS = number();
  else if (flag === '--replay') env.CHAOS_REPLAY = resolve(value);
  else {
    console.error(`unknown flag ${flag}\n${usage}`);
    process.exit(2);
  }
}
const r = spawnSync(join(repo, 'node_modules/.bin/vitest'), ['run', 'test/chaos'], { cwd: repo, env, stdio: 'inherit' });
process.exit(r.status ?? 1);
