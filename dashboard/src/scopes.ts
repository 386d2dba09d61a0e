/**
 * The scope rules the server applies (src/scopes.ts, a leaf module with no imports), bundled in
 * so the keys form offers exactly the scopes the server would let the signed-in key pass on.
 */
export { ALL_SCOPES, scopesNotHeld } from '../../src/scopes.ts';
