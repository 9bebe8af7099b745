// One HTTP exchange with a registry, made robust: answers auth challenges
// (Bearer tokens, cached per host, credential and scope, refreshed once when
// a cached token is refused; Basic), retries 5xx/429 and dropped connections
// with exponential backoff honouring Retry-After, and aborts a request whose
// response headers do not arrive in time.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BerthError } from '../errors.js';
import { basicAuthorization, fetchToken, parseChallenge, type Credential } from './bearer-auth.js';
import { plainGet, toResponse } from './http-get.js';
import { httpError, isTransient, networkError, TransientNetworkError, RegistryHttpError } from './registry-errors.js';

export interface RetryPolicy {
  /** Retries after the first try. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 4, baseDelayMs: 250, maxDelayMs: 8_000 };
/** A Retry-After longer than this fails the request instead of waiting. */
const MAX_RETRY_AFTER_MS = 60_000;

export interface TransportOptions {
  userAgent?: string;
  retry?: Partial<RetryPolicy>;
  /** Time allowed from sending a request to its response headers. */
  headersTimeoutMs?: number;
}

export interface RegistryRequest {
  method?: string;
  url: string;
  /** host[:port] the request goes to, for messages and the token cache */
  host: string;
  headers?: Record<string, string>;
  /** Request body; only buffers, so a retry can send it again. */
  body?: Uint8Array;
  credential?: Credential;
  /** token scopes, e.g. ["repository:a/b:pull"] */
  scopes: string[];
  /** what was asked for, for error messages */
  what: string;
  /** statuses that count as success (default: any 2xx) */
  ok?: (status: number) => boolean;
  /** aborts the request (and a body being read through this signal) */
  signal?: AbortSignal;
  /** false: no retries (e.g. a step whose caller retries itself) */
  retry?: boolean;
}

function credentialKey(c: Credential | undefined): string {
  return c ? createHash('sha256').update(`${c.username}\0${c.password}`).digest('hex').slice(0, 16) : 'anonymous';
}

export function backoffDelay(policy: RetryPolicy, attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return retryAfterMs;
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
}

export class Transport {
  readonly policy: RetryPolicy;
  private readonly userAgent: string;
  private readonly headersTimeoutMs: number;
  private readonly tokens = new Map<string, string>();
  private readonly basicHosts = new Set<string>();

  constructor(opts: TransportOptions = {}) {
    this.policy = { ...DEFAULT_RETRY, ...opts.retry };
    this.userAgent = opts.userAgent ?? 'berth/0.1';
    this.headersTimeoutMs = opts.headersTimeoutMs ?? 30_000;
  }

  /** Sends `req`, retrying transient failures; a non-ok status ends in a RegistryHttpError. */
  async send(req: RegistryRequest): Promise<Response> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.sendAuthorized(req);
      } catch (err) {
        if (req.retry === false || !isTransient(err) || attempt >= this.policy.retries || req.signal?.aborted) throw err;
        const after = err instanceof RegistryHttpError ? err.retryAfterMs : undefined;
        if (after !== undefined && after > MAX_RETRY_AFTER_MS) throw err;
        await sleep(backoffDelay(this.policy, attempt, after), undefined, { signal: req.signal }).catch(() => undefined);
        if (req.signal?.aborted) throw err;
      }
    }
  }

  /** The headers `req` would be sent with now (user agent, the cached token or Basic credentials), before any challenge. */
  currentHeaders(req: RegistryRequest): Record<string, string> {
    const headers: Record<string, string> = { 'user-agent': this.userAgent, ...req.headers };
    const auth = this.authorization(req);
    if (auth) headers.authorization = auth;
    return headers;
  }

  get headersTimeout(): number {
    return this.headersTimeoutMs;
  }

  private tokenKey(req: RegistryRequest): string {
    return `${req.host}|${credentialKey(req.credential)}|${req.scopes.join(' ')}`;
  }

  private authorization(req: RegistryRequest): string | undefined {
    const token = this.tokens.get(this.tokenKey(req));
    return token ? `Bearer ${token}` : req.credential && this.basicHosts.has(req.host) ? basicAuthorization(req.credential) : undefined;
  }

  /** One try, answering at most one auth challenge (plus one token refresh). */
  private async sendAuthorized(req: RegistryRequest): Promise<Response> {
    const key = this.tokenKey(req);
    let refreshed = false;
    for (;;) {
      const res = await this.once(req, this.authorization(req));
      if (res.status !== 401 || refreshed) return this.check(req, res);
      const challenge = parseChallenge(res.headers.get('www-authenticate'));
      if (!challenge) return this.check(req, res);
      await res.body?.cancel().catch(() => undefined);
      refreshed = true;
      if (challenge.scheme === 'bearer') {
        this.tokens.delete(key);
        this.tokens.set(key, await fetchToken(challenge, req.scopes, req.host, req.credential));
      } else {
        if (!req.credential) {
          throw new BerthError('registry_error', `registry ${req.host} requires a login for ${req.what}; run \`berth login ${req.host}\` first`);
        }
        if (this.basicHosts.has(req.host)) return this.check(req, await this.once(req, basicAuthorization(req.credential)));
        this.basicHosts.add(req.host);
      }
    }
  }

  private async check(req: RegistryRequest, res: Response): Promise<Response> {
    const ok = req.ok ? req.ok(res.status) : res.ok;
    if (!ok) throw await httpError(res, req.host, req.what);
    return res;
  }

  private async once(req: RegistryRequest, authorization: string | undefined): Promise<Response> {
    const headers: Record<string, string> = { 'user-agent': this.userAgent, ...req.headers };
    if (authorization) headers.authorization = authorization;
    const method = req.method ?? 'GET';
    if ((method === 'GET' || method === 'HEAD') && req.body === undefined) {
      const msg = await plainGet({ method, url: req.url, host: req.host, what: req.what, headers, signal: req.signal, headersTimeoutMs: this.headersTimeoutMs });
      return toResponse(msg, method);
    }
    // A timer, not AbortSignal.timeout: it must stop once the headers are in,
    // or it would cut a long body short.
    const timer = new AbortController();
    const t = setTimeout(() => timer.abort(), this.headersTimeoutMs);
    const signal = req.signal ? AbortSignal.any([req.signal, timer.signal]) : timer.signal;
    try {
      return await fetch(req.url, { method: req.method ?? 'GET', headers, body: req.body as unknown as BodyInit | undefined, redirect: 'follow', signal });
    } catch (err) {
      if (timer.signal.aborted && !req.signal?.aborted) {
        throw new TransientNetworkError(`registry ${req.host} did not answer within ${Math.round(this.headersTimeoutMs / 1000)} s for ${req.what}`, { cause: err });
      }
      throw networkError(err, req.host, req.url);
    } finally {
      clearTimeout(t);
    }
  }
}
