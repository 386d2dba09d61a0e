/** The caller's own account: `GET /me`, `GET /credits`, `GET /credits/ledger`. */
import type { Http, SignalOption } from '../http.ts';
import type { Balance, LedgerPage, Me, PageQuery } from '../types.ts';

export function accountMethods(http: Http) {
  return {
    /** The organisation and the key making the call. */
    me: (o: SignalOption = {}) => http.data<Me>('GET', '/me', o),
    /** Credits available now and reserved for work in progress. */
    credits: (o: SignalOption = {}) => http.data<Balance>('GET', '/credits', o),
    /** Ledger entries (grant, reserve, charge, release), newest first. */
    ledger: (query: PageQuery = {}, o: SignalOption = {}) => http.data<LedgerPage>('GET', '/credits/ledger', { ...o, query }),
  };
}
