/**
 * Engine signals across processes on PostgreSQL, with LISTEN/NOTIFY: a submission in an API
 * process wakes idle workers elsewhere at once, and a job finished by a worker wakes the
 * long-polls and event streams waiting on it in every API process — without any of them polling
 * the database per waiting client.
 *
 * Guarantees: notifications are sent after the change committed (signals are raised after
 * commit); a lost connection is re-made with backoff (1 s doubling to 30 s) and never ends the
 * process. Not guaranteed: delivery of a notification sent while a listener was disconnected —
 * workers also wake on a slow timer, and long-polls re-read the job when they time out.
 */
import type { FastifyBaseLogger } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import type { EngineSignals, RelayedSignal } from '../engine/index.ts';
import type { Db } from './database.ts';

const CHANNEL = 'longrun_signals';
/** `work` signals come in bursts (one per submission and per finished item); one per tick is enough. */
const WORK_COALESCE_MS = 5;

export interface PgSignalRelay {
  close(): Promise<void>;
}

export function startPgSignals(url: string, signals: EngineSignals, db: Db, log: FastifyBaseLogger): PgSignalRelay {
  // Our own notifications come back to us too; a process ID lets us skip them.
  const origin = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  let client: pg.Client | null = null;
  let closed = false;
  let retryMs = 1000;
  let retryTimer: NodeJS.Timeout | undefined;
  let workPending: NodeJS.Timeout | undefined;

  const send = (signal: RelayedSignal) => {
    sql`select pg_notify(${CHANNEL}, ${JSON.stringify({ ...signal, origin })})`.execute(db).catch((err: unknown) => {
      log.debug({ err }, 'could not publish an engine signal');
    });
  };
  signals.relay = {
    publish(signal) {
      if (closed) return;
      if (signal.type === 'job') return send(signal);
      if (workPending) return;
      workPending = setTimeout(() => {
        workPending = undefined;
        send({ type: 'work' });
      }, WORK_COALESCE_MS);
    },
  };

  const connect = () => {
    if (closed) return;
    const c = new pg.Client({ connectionString: url });
    client = c;
    const lost = (err?: Error) => {
      if (client !== c) return;
      client = null;
      c.removeAllListeners();
      c.on('error', () => {});
      c.end().catch(() => {});
      if (closed) return;
      log.warn({ err, retryMs }, 'lost the LISTEN connection; reconnecting');
      retryTimer = setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 30_000);
    };
    c.on('error', lost);
    c.on('end', () => lost());
    c.on('notification', (message) => {
      try {
        const signal = JSON.parse(message.payload ?? '') as RelayedSignal & { origin: string };
        if (signal.origin !== origin) signals.receive(signal);
      } catch {
        // not ours
      }
    });
    c.connect()
      .then(() => c.query(`listen ${CHANNEL}`))
      .then(() => {
        retryMs = 1000;
        // Whatever happened while we were away: look for work now.
        signals.receive({ type: 'work' });
      })
      .catch((err: Error) => lost(err));
  };
  connect();

  return {
    async close() {
      closed = true;
      signals.relay = null;
      clearTimeout(retryTimer);
      clearTimeout(workPending);
      const c = client;
      client = null;
      if (c) {
        c.removeAllListeners();
        c.on('error', () => {});
        await c.end().catch(() => {});
      }
    },
  };
}
