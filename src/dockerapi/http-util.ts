// Small HTTP helpers for the Docker Engine API: JSON bodies and replies,
// Docker's error shape and status codes, query parameters.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BerthError, type ErrorCode } from '../errors.js';

const STATUS: Partial<Record<ErrorCode, number>> = {
  invalid_argument: 400,
  unsafe_layer: 400,
  not_found: 404,
  command_not_found: 404,
  conflict: 409,
  not_running: 409,
  daemon_unavailable: 503,
};

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Docker's status code for a failure. */
export function statusOf(err: unknown): number {
  if (err instanceof ApiError) return err.status;
  if (err instanceof BerthError) return STATUS[err.code] ?? 500;
  return 500;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, statusOf(err), { message: messageOf(err) });
}

export function sendEmpty(res: ServerResponse, status = 204): void {
  res.writeHead(status);
  res.end();
}

const MAX_BODY = 4 * 1024 * 1024;

export async function readJsonBody<T>(req: IncomingMessage): Promise<T | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new ApiError(413, `request body over ${MAX_BODY >> 20} MiB`);
    chunks.push(c);
  }
  if (size === 0) return null;
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as T;
  } catch {
    throw new ApiError(400, 'the request body is not valid JSON');
  }
}

/** Docker's boolean query values: 1/true/yes/on. */
export function boolQuery(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v !== null && ['1', 'true', 'yes', 'on', 'True'].includes(v);
}

/** ?filters={"status":["exited"]} (also the old {"status":{"exited":true}} form). */
export function filtersQuery(q: URLSearchParams): Record<string, string[]> | undefined {
  const raw = q.get('filters');
  if (!raw) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ApiError(400, `invalid filters: ${raw}`);
  }
  const out: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
    out[k] = Array.isArray(v) ? v.map(String) : Object.keys(v as object);
  }
  return out;
}
