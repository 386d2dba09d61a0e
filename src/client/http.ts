/**
 * The one generic request of the client: base URL + path + query, `Authorization: Bearer <key>`,
 * a JSON or raw body, and either the parsed answer of a 2xx or a thrown `LongrunError`. Every
 * named method of the client is a line over this.
 */
import { connectionError, errorFromAnswer, LongrunError } from './errors.ts';

export interface ClientOptions {
  /** Where longrun listens, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** An API key, `lr_…`; sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
  /** Headers sent with every request (a proxy's, a tracing header, …). */
  headers?: Record<string, string>;
  /** The fetch to use; the global one by default. */
  fetch?: typeof fetch;
}

export type QueryValue = string | number | boolean | undefined | null;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as it is (a Buffer, Blob, string or FormData), with `contentType` when given. */
  body?: RequestInit['body'];
  contentType?: string;
  headers?: Record<string, string>;
  /** `Idempotency-Key`: the same key and body give the first answer again. */
  idempotencyKey?: string;
  signal?: AbortSignal;
}

/** What every call can take: a way to stop it. */
export interface SignalOption {
  signal?: AbortSignal;
}

/** What a POST that creates work can also take: an `Idempotency-Key` (the server honours it on those routes only). */
export interface CallOptions extends SignalOption {
  idempotencyKey?: string;
}

export interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}

export class Http {
  readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ClientOptions) {
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? fetch;
  }

  url(path: string, query?: Record<string, QueryValue>): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null) params.set(name, String(value));
    }
    const search = params.toString();
    return `${this.baseUrl}${path}${search ? `?${search}` : ''}`;
  }

  /** Headers every request carries: the caller's, and the key. */
  headers(extra: Record<string, string> = {}): Record<string, string> {
    const headers: Record<string, string> = { ...this.options.headers, ...extra };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    return headers;
  }

  /** A fetch whose failure to connect is a LongrunError; the answer is the caller's to read. */
  async fetch(url: string, init: RequestInit): Promise<Response> {
    try {
      // Called as a plain function: a browser's fetch refuses to run as a method of another object.
      const fetchImpl = this.fetchImpl;
      return await fetchImpl(url, init);
    } catch (error) {
      if (init.signal?.aborted) throw error; // the caller stopped it: not a connection problem
      throw connectionError(this.baseUrl, error);
    }
  }

  /**
   * One request. A 2xx answer's JSON body is returned as `T` (not checked at run time: the
   * server validates what it sends against the schemas `T` comes from); anything else throws.
   */
  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<Answer<T>> {
    const headers = this.headers({ accept: 'application/json', ...opts.headers });
    let body: RequestInit['body'];
    if (opts.json !== undefined) {
      body = JSON.stringify(opts.json);
      headers['content-type'] = 'application/json';
    } else if (opts.body !== undefined) {
      body = opts.body;
      if (opts.contentType) headers['content-type'] = opts.contentType;
    }
    if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
    const response = await this.fetch(this.url(path, opts.query), { method, headers, body, signal: opts.signal });
    const text = await response.text();
    if (!response.ok) throw errorFromAnswer(response.status, response.headers, text);
    return { status: response.status, headers: response.headers, body: parseBody(response.status, text) as T };
  }

  /** A content-family route: the `data` of `{success: true, data}`. */
  async data<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    return (await this.request<{ data: T }>(method, path, opts)).body.data;
  }
}

function parseBody(status: number, text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new LongrunError(status, 'unexpected_response', `HTTP ${status} with a body that is not JSON: ${text.trim().slice(0, 200)}`);
  }
}

/** A path segment from an ID, so an odd ID cannot change the route. */
export function seg(id: string): string {
  return encodeURIComponent(id);
}
