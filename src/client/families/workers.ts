/** Operators: `GET /workers`, the processes alive on the server's database (a `workers:read` key). */
import type { Http, SignalOption } from '../http.ts';
import type { ProcessesList } from '../types.ts';

export function workerMethods(http: Http) {
  return {
    /** Every `serve` and `worker` process alive, server-wide: role, version, last beat, jobs held, slots. */
    list: (o: SignalOption = {}) => http.data<ProcessesList>('GET', '/workers', o),
  };
}
