/**
 * Calls to the longrun API with the tab's key. Both error envelopes (content: `error`/`message`,
 * sourcing: `errorCode`/`errorMessage`) become one ApiError, so views handle failures alike.
 */
import { forgetKey, savedKey } from './session.ts';

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Set by main.ts: what to do when the key stops working (revoked, or a typo at sign-in). */
let onUnauthorized: () => void = () => {};
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

export function authHeaders(key = savedKey()): Record<string, string> {
  return key ? { authorization: `Bearer ${key}` } : {};
}

interface ErrorBody {
  error?: string;
  message?: string;
  errorCode?: string;
  errorMessage?: string;
}

function errorOf(status: number, body: unknown): ApiError {
  const b = (body ?? {}) as ErrorBody;
  return new ApiError(status, b.error ?? b.errorCode ?? `http_${status}`, b.message ?? b.errorMessage ?? `The server answered ${status}.`);
}

export interface CallOptions {
  method?: string;
  json?: unknown;
  signal?: AbortSignal;
  /** A key to try instead of the saved one (sign-in). */
  key?: string;
}

/** The parsed body of a 2xx answer (200 and 202 alike); anything else throws ApiError. */
export async function api<T>(path: string, options: CallOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...authHeaders(options.key ?? savedKey()) };
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const response = await fetch(path, { method: options.method ?? (body === undefined ? 'GET' : 'POST'), headers, body, signal: options.signal });
  const text = await response.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (response.ok) return parsed as T;
  const error = errorOf(response.status, parsed);
  if (response.status === 401 && options.key === undefined) {
    forgetKey();
    onUnauthorized();
  }
  throw error;
}

/** `{success, data}` of the content family, unwrapped. */
export async function apiData<T>(path: string, options: CallOptions = {}): Promise<T> {
  return (await api<{ data: T }>(path, options)).data;
}

/** A query string from the defined values only. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** Path segments are IDs from the API or the URL; encoded so none can change the path. */
export const seg = (value: string) => encodeURIComponent(value);
