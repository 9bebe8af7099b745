// For grammar tests: collects what the CLI writes to stderr during each test
// (and keeps it off the test output).
import { afterEach, beforeEach, vi } from 'vitest';

/** Call at module level; the returned array holds the current test's writes. */
export function captureStderr(): string[] {
  const written: string[] = [];
  beforeEach(() => {
    written.length = 0;
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  });
  afterEach(() => vi.restoreAllMocks());
  return written;
}
