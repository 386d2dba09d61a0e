/** `/keys`: the organisation's API keys, for a key holding `keys:write`. The new key comes back from `create` only. */
import { seg, type Http, type SignalOption } from '../http.ts';
import type { ApiKey, ApiKeyCreateBody, ApiKeyCreated, ApiKeysPage, PageQuery } from '../types.ts';

export function keyMethods(http: Http) {
  return {
    list: (query: PageQuery = {}, o: SignalOption = {}) => http.data<ApiKeysPage>('GET', '/keys', { ...o, query }),
    /** Scopes the calling key holds only (403 naming the others); the answer's `key` is shown this once. */
    create: (body: ApiKeyCreateBody, o: SignalOption = {}) => http.data<ApiKeyCreated>('POST', '/keys', { ...o, json: body }),
    /** Revokes another key of the organisation (409 for the calling key itself, or one already revoked). */
    revoke: (id: string, o: SignalOption = {}) => http.data<ApiKey>('DELETE', `/keys/${seg(id)}`, o),
  };
}
