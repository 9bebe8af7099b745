// How cli/launcher.ts found V8's code cache for this start, for
// BERTH_DEBUG_TIMING (read by cli/berth.ts): accepted, rejected (another
// Node/V8 or flags, or a damaged file; rewritten at exit) or absent.

export type CodeCacheState = 'accepted' | 'rejected' | 'absent';

export const CODE_CACHE_STATE = Symbol.for('berth.codeCacheState');

/** The launcher's finding, or undefined when the bundle was started some other way. */
export function codeCacheState(): CodeCacheState | undefined {
  return (globalThis as Record<symbol, unknown>)[CODE_CACHE_STATE] as CodeCacheState | undefined;
}
