/**
 * The longest a status route holds its answer for `?wait=N`. A module of its own, importing
 * nothing, so the request schemas can name it without importing the engine's views (which
 * import the schemas: a cycle that broke `longrun serve` when entered from the wrong side).
 */
export const MAX_WAIT_SECONDS = 30;
