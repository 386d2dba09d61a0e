/**
 * One upload with its progress: `fetch` cannot report bytes sent, so this one request goes
 * through XMLHttpRequest, with the tab's key, answering as the typed client does (the `data`
 * of a 2xx, or a LongrunError with the envelope's code and message).
 */
import { LongrunError } from './api.ts';
import { savedKey } from './session.ts';

export interface SendOptions {
  method: string;
  path: string;
  body: Blob;
  contentType: string;
  headers?: Record<string, string>;
  /** Bytes sent so far, of `total`. */
  onProgress(sent: number, total: number): void;
  signal?: AbortSignal;
}

export function sendWithProgress<T>(o: SendOptions): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(o.method, new URL(o.path, location.origin).toString());
    xhr.setRequestHeader('content-type', o.contentType);
    const key = savedKey();
    if (key) xhr.setRequestHeader('authorization', `Bearer ${key}`);
    for (const [name, value] of Object.entries(o.headers ?? {})) xhr.setRequestHeader(name, value);
    xhr.upload.addEventListener('progress', (e) => o.onProgress(e.loaded, e.lengthComputable ? e.total : o.body.size));
    xhr.addEventListener('load', () => {
      let body: { data?: T; error?: string; errorCode?: string; message?: string; errorMessage?: string } = {};
      try {
        body = JSON.parse(xhr.responseText) as typeof body;
      } catch {
        // Not JSON: reported below by status.
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(body.data as T);
      const code = (body.error ?? body.errorCode ?? 'unexpected_response') as ConstructorParameters<typeof LongrunError>[1];
      reject(new LongrunError(xhr.status, code, body.message ?? body.errorMessage ?? `HTTP ${xhr.status}`));
    });
    xhr.addEventListener('error', () => reject(new LongrunError(0, 'connection_failed', 'The upload was interrupted.')));
    xhr.addEventListener('abort', () => reject(new LongrunError(0, 'connection_failed', 'The upload was stopped.')));
    o.signal?.addEventListener('abort', () => xhr.abort());
    xhr.send(o.body);
  });
}
