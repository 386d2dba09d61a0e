/**
 * The dashboard talks to longrun through the typed client (`longrun/client`, src/client) on this
 * page's origin, with the tab's key. A 401 to a call made with the saved key forgets the key and
 * signs out (main.ts says how), so a revoked key ends the session; failures of either family's
 * envelope arrive as one `LongrunError`, so views handle them alike.
 */
import { createClient, type LongrunClient } from 'longrun/client';
import { forgetKey, savedKey } from './session.ts';

export { LongrunError } from 'longrun/client';

/** Set by main.ts: what to do when the key stops working (revoked, or a typo at sign-in). */
let onUnauthorized: () => void = () => {};
export function whenUnauthorized(handler: () => void): void {
  onUnauthorized = handler;
}

/** The page's fetch, watching for the 401 that means the saved key no longer works. */
const watchedFetch: typeof fetch = async (input, init) => {
  const response = await fetch(input, init);
  if (response.status === 401) {
    forgetKey();
    onUnauthorized();
  }
  return response;
};

/**
 * Sent with the reads the dashboard repeats on its own (a list or the overview refreshed on a
 * timer or after a job's event): the server logs them at debug, as it does status polls, so a
 * dashboard left open does not fill the log at info.
 */
const POLL_HEADERS = { 'x-longrun-poll': '1' };

/**
 * The client with the tab's saved key; with `key`, a client that tries that key instead (sign-in).
 * `poll`: the call is a refresh the dashboard makes on its own, not the user's.
 */
export function client(key?: string, opts: { poll?: boolean } = {}): LongrunClient {
  if (key !== undefined) return createClient({ url: location.origin, apiKey: key });
  return createClient({ url: location.origin, apiKey: savedKey() ?? undefined, fetch: watchedFetch, ...(opts.poll ? { headers: POLL_HEADERS } : {}) });
}
