/**
 * Messages between processes on PostgreSQL, with LISTEN/NOTIFY on one channel: what one process
 * publishes every other listening process receives, its own messages left out. The engine relays
 * its signals through it (engine/signalRelay.ts); the store knows nothing of what they mean.
 *
 * Guarantees: a message is sent by `pg_notify` on the store's pool, so one published after a
 * commit is sent after it; a lost LISTEN connection is re-made with backoff (1 s doubling to
 * 30 s) and never ends the process, and `connected` is called each time it (re)connects. Not
 * guaranteed: delivery of a message sent while a listener was disconnected.
 */
import { sql } from 'kysely';
import pg from 'pg';
import type { Db } from './database.ts';

/** The little of a logger the channel needs (a Fastify or pino logger fits). */
export interface ChannelLog {
  debug(details: object, message: string): void;
  warn(details: object, message: string): void;
}

export interface ChannelHandlers {
  /** A message another process published. */
  message(message: Record<string, unknown>): void;
  /** The LISTEN connection is up (again): messages sent meanwhile may have been missed. */
  connected(): void;
}

export interface NotifyChannel {
  publish(message: Record<string, unknown>): void;
  close(): Promise<void>;
}

export function pgNotifyChannel(url: string, db: Db, channel: string, handlers: ChannelHandlers, log: ChannelLog): NotifyChannel {
  // Our own notifications come back to us too; a process ID lets us skip them.
  const origin = `${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  let client: pg.Client | null = null;
  let closed = false;
  let retryMs = 1000;
  let retryTimer: NodeJS.Timeout | undefined;

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
    c.on('notification', (notification) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(notification.payload ?? '') as Record<string, unknown>;
      } catch {
        return; // not ours
      }
      if (message.origin === origin) return;
      delete message.origin;
      handlers.message(message);
    });
    c.connect()
      .then(() => c.query(`listen ${channel}`))
      .then(() => {
        retryMs = 1000;
        handlers.connected();
      })
      .catch((err: Error) => lost(err));
  };
  connect();

  return {
    publish(message) {
      if (closed) return;
      sql`select pg_notify(${channel}, ${JSON.stringify({ ...message, origin })})`.execute(db).catch((err: unknown) => {
        log.debug({ err }, 'could not publish on the notification channel');
      });
    },
    async close() {
      closed = true;
      clearTimeout(retryTimer);
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
