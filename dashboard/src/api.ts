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

/** The client with the tab's saved key; with `key`, a client that tries that key instead (sign-in). */
export function client(key?: string): LongrunClient {
  if (key !== undefined) return createClient({ url: location.origin, apiKey: key });
  return createClient({ url: location.origin, apiKey: savedKey() ?? undefined, fetch: watchedFetch });
}
