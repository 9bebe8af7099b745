// Typed errors. Every error that crosses a layer boundary (worker → router,
// daemon → CLI) is a BerthError with a stable code; the CLI maps codes to
// Docker's exit codes and messages.

export type ErrorCode =
  | 'invalid_argument'
  | 'not_found'
  | 'conflict'
  | 'not_running'
  | 'registry_error'
  | 'digest_mismatch'
  | 'unsafe_layer'
  | 'io_error'
  | 'runtime_error'
  | 'command_not_found'
  | 'command_not_executable'
  | 'daemon_unavailable'
  | 'internal';

export interface SerializedError {
  code: ErrorCode;
  message: string;
}

export class BerthError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, opts?: { cause?: unknown }) {
    super(message, opts);
    this.name = 'BerthError';
    this.code = code;
  }

  toJSON(): SerializedError {
    return { code: this.code, message: this.message };
  }
}

const CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'invalid_argument', 'not_found', 'conflict', 'not_running', 'registry_error',
  'digest_mismatch', 'unsafe_layer', 'io_error', 'runtime_error', 'command_not_found',
  'command_not_executable', 'daemon_unavailable', 'internal',
]);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && CODES.has(value);
}

/** Turns anything thrown into a wire-safe error; unknown errors become 'internal'. */
export function serializeError(err: unknown): SerializedError {
  if (err instanceof BerthError) return err.toJSON();
  if (err && typeof err === 'object' && isErrorCode((err as { code?: unknown }).code)) {
    return { code: (err as { code: ErrorCode }).code, message: String((err as { message?: unknown }).message) };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message };
}

export function deserializeError(e: SerializedError): BerthError {
  return new BerthError(isErrorCode(e.code) ? e.code : 'internal', e.message);
}
