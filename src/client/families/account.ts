/** The caller's own account: `GET /me`, `GET /credits`, `GET /credits/ledger`, `/credits/history`, `/credits/ledger/jobs`. */
import type { Http, SignalOption } from '../http.ts';
import type { Balance, CreditHistory, CreditHistoryQuery, LedgerByJobPage, LedgerPage, LedgerQuery, Me, PageQuery } from '../types.ts';

export function accountMethods(http: Http) {
  return {
    /** The organisation and the key making the call. */
    me: (o: SignalOption = {}) => http.data<Me>('GET', '/me', o),
    /** Credits available now and reserved for work in progress. */
    credits: (o: SignalOption = {}) => http.data<Balance>('GET', '/credits', o),
    /** Ledger entries (grant, reserve, charge, release), newest first; `ref`: only one job's. */
    ledger: (query: LedgerQuery = {}, o: SignalOption = {}) => http.data<LedgerPage>('GET', '/credits/ledger', { ...o, query }),
    /** The ledger grouped by job, newest first. */
    ledgerByJob: (query: PageQuery = {}, o: SignalOption = {}) => http.data<LedgerByJobPage>('GET', '/credits/ledger/jobs', { ...o, query }),
    /** The balance over the last `day`, `week` (default) or `month`. */
    history: (query: CreditHistoryQuery = {}, o: SignalOption = {}) => http.data<CreditHistory>('GET', '/credits/history', { ...o, query }),
  };
}
