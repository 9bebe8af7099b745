// run/create flags the CLI handles itself (Docker's): --label-file,
// -a/--attach, --cidfile, --sig-proxy's value.
import { existsSync } from 'node:fs';
import { BerthError } from '../../../src/errors.js';
import { writeFileAtomic } from '../../../src/util/atomic-file.js';
import { readFlagFile } from './env-file.js';

/** --label-file: one KEY=VALUE (or KEY) per line; blank lines and # comments skipped. */
export function parseLabelFile(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
}

export function readLabelFiles(files: string[] | undefined): string[] {
  return (files ?? []).flatMap((f) => parseLabelFile(readFlagFile(f, 'label file')));
}

export type AttachStream = 'stdin' | 'stdout' | 'stderr';

/** -a STDIN|STDOUT|STDERR (any case, repeatable), or undefined when not given. */
export function parseAttach(values: string[] | undefined): Set<AttachStream> | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const out = new Set<AttachStream>();
  for (const v of values) {
    const s = v.toLowerCase();
    if (s !== 'stdin' && s !== 'stdout' && s !== 'stderr') {
      throw new BerthError('invalid_argument', `invalid argument "${v}" for "-a, --attach" flag: valid streams are STDIN, STDOUT and STDERR`);
    }
    out.add(s);
  }
  return out;
}

/** --cidfile: refused up front when the file exists, as Docker does. */
export function checkCidFile(path: string | undefined): void {
  if (path === undefined) return;
  if (path === '') throw new BerthError('invalid_argument', '--cidfile must not be empty');
  if (existsSync(path)) {
    throw new BerthError('conflict', `Container ID file found, make sure the other container isn't running or delete ${path}`);
  }
}

export async function writeCidFile(path: string | undefined, id: string): Promise<void> {
  if (path === undefined) return;
  try {
    await writeFileAtomic(path, id);
  } catch (err) {
    throw new BerthError('invalid_argument', `failed to create the container ID file ${path}: ${(err as Error).message}`);
  }
}
