// Turning HTTP failures and network failures into BerthErrors whose message
// says what the registry said and what to do.
import { BerthError } from '../errors.js';

/** A registry_error that also carries the HTTP status and the registry's error codes. */
export class RegistryHttpError extends BerthError {
  constructor(
    message: string,
    readonly status: number,
    readonly registryCodes: string[],
    /** Worth retrying: 5xx (not 501/505) and 429. */
    readonly transient = status === 429 || (status >= 500 && status !== 501 && status !== 505),
    /** Milliseconds the registry asked us to wait (Retry-After), if it said. */
    readonly retryAfterMs?: number,
  ) {
    super('registry_error', message);
  }
}

/** A failure of the connection itself (reset, refused, timed out, stalled): worth retrying. */
export class TransientNetworkError extends BerthError {
  readonly transient = true;
  constructor(message: string, opts?: { cause?: unknown }) {
    super('registry_error', message, opts);
  }
}

/** True for errors a retry may cure. */
export function isTransient(err: unknown): boolean {
  return !!err && typeof err === 'object' && (err as { transient?: unknown }).transient === true;
}

/** Parses Retry-After (delta seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

interface RegistryErrorBody {
  errors?: Array<{ code?: unknown; message?: unknown; detail?: unknown }>;
}

/** Reads the body of a failed response and builds a RegistryHttpError. `what` says what was asked for. */
export async function httpError(res: Response, host: string, what: string): Promise<RegistryHttpError> {
  let text = '';
  try {
    text = await res.text();
  } catch {
    // body unreadable: fall back to the status line
  }
  const codes: string[] = [];
  const messages: string[] = [];
  try {
    const body = JSON.parse(text) as RegistryErrorBody;
    for (const e of body.errors ?? []) {
      if (typeof e.code === 'string') codes.push(e.code);
      const m = typeof e.message === 'string' ? e.message : typeof e.code === 'string' ? e.code : '';
      if (m) messages.push(typeof e.code === 'string' && e.code.toLowerCase().replace(/_/g, ' ') !== m ? `${e.code}: ${m}` : m);
    }
  } catch {
    if (text.trim() !== '') messages.push(text.trim().slice(0, 200));
  }
  const said = messages.length > 0 ? messages.join('; ') : res.statusText || 'no details';
  let hint = '';
  if (res.status === 404) hint = ' (check the repository name and tag)';
  else if (res.status === 401 || res.status === 403) hint = ` (the registry requires authorization; log in with \`berth login ${host}\`, or check that the account may access it)`;
  else if (res.status === 429) hint = ' (rate limited; try again later)';
  const retryAfter = parseRetryAfter(res.headers.get('retry-after'));
  return new RegistryHttpError(`registry ${host} answered ${res.status} for ${what}: ${said}${hint}`, res.status, codes, undefined, retryAfter);
}

function causeCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Wraps an exception thrown by fetch() (connection refused, DNS, TLS, reset). BerthErrors pass through. */
export function networkError(err: unknown, host: string, url: string): BerthError {
  if (err instanceof BerthError) return err;
  const code = causeCode(err);
  const detail = (err as { cause?: { message?: string } })?.cause?.message ?? (err as Error)?.message ?? String(err);
  switch (code) {
    case 'ECONNREFUSED':
      return new TransientNetworkError(`cannot connect to registry ${host} (${url}): connection refused; the registry is not running or not reachable at that address`, { cause: err });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new BerthError('registry_error', `cannot resolve registry host ${host}: ${detail}; check the name and the network`, { cause: err });
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return new TransientNetworkError(`connection to registry ${host} timed out; the registry is not reachable from here`, { cause: err });
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'EPIPE':
      return new TransientNetworkError(`connection to registry ${host} was reset (${detail}); try again`, { cause: err });
    default:
      if (/certificate|SSL|TLS|EPROTO/i.test(`${code ?? ''} ${detail}`)) {
        return new BerthError('registry_error', `TLS handshake with registry ${host} failed (${detail}); only loopback registries are spoken to over plain http`, { cause: err });
      }
      if (/terminated|other side closed|socket|aborted/i.test(detail)) {
        return new TransientNetworkError(`connection to registry ${host} was cut (${detail}); try again`, { cause: err });
      }
      return new BerthError('registry_error', `request to registry ${host} (${url}) failed: ${detail}`, { cause: err });
  }
}
