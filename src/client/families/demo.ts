/** The demonstration kind `sleep` (`POST /demo/sleep`, only on a server started with LONGRUN_DEMO_KINDS=1). */
import type { CallOptions, Http } from '../http.ts';
import type { SleepAccepted, SleepRequest } from '../types.ts';

export function demoMethods(http: Http) {
  return {
    /** A job whose items each sleep `ms`; some can be told to fail, fail once, or hang. */
    sleep: (body: SleepRequest = {}, o: CallOptions = {}) => http.data<SleepAccepted>('POST', '/demo/sleep', { ...o, json: body }),
  };
}
