/**
 * Which errors the engine and the idempotency hooks treat as a lost connection (safe to run
 * again on a fresh one): only those, never a statement's own error.
 */
import { describe, expect, it } from 'vitest';
import { isConnectionLoss } from '../../src/store/connectionLoss.ts';

const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('isConnectionLoss', () => {
  it.each([
    ['terminated by an administrator (pg_terminate_backend)', pgError('57P01', 'terminating connection due to administrator command')],
    ['crash shutdown', pgError('57P02')],
    ['the server starting or shutting down', pgError('57P03', 'the database system is shutting down')],
    ['a connection exception (class 08)', pgError('08006')],
    ['a reset socket', pgError('ECONNRESET')],
    ['a refused connection', pgError('ECONNREFUSED')],
    ['node-postgres: the connection ended under a query', new Error('Connection terminated unexpectedly')],
    ['node-postgres: a client no longer queryable', new Error('Client has encountered a connection error and is not queryable')],
    ['wrapped as a cause', new Error('checkpoint failed', { cause: pgError('57P01') })],
  ])('%s: yes', (_, error) => expect(isConnectionLoss(error)).toBe(true));

  it.each([
    ['a unique violation', pgError('23505')],
    ['a deadlock (retried on its own terms)', pgError('40P01')],
    ['a syntax error', pgError('42601')],
    ['SQLite busy', pgError('SQLITE_BUSY')],
    ['a plain error', new Error('recorded 0 of 1 items')],
    ['not an error', 'Connection terminated'],
    ['nothing', undefined],
  ])('%s: no', (_, error) => expect(isConnectionLoss(error)).toBe(false));
});
