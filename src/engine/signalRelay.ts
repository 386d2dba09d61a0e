/**
 * Engine signals across processes, through the store's notification channel (PostgreSQL's
 * LISTEN/NOTIFY, store/pgNotify.ts): a submission in an API process wakes idle workers elsewhere
 * at once, and a job finished by a worker wakes the long-polls and event streams waiting on it in
 * every API process — without any of them polling the database per waiting client. A store
 * without a channel (SQLite) relays nothing: workers also wake on a slow timer, and long-polls
 * re-read the job when they time out, which is what covers a notification lost while a listener
 * was disconnected too.
 */
import type { Store } from '../store/database.ts';
import type { ChannelLog } from '../store/pgNotify.ts';
import type { EngineSignals, RelayedSignal } from './signals.ts';

const CHANNEL = 'longrun_signals';
/** `work` signals come in bursts (one per submission and per finished item); one per tick is enough. */
const WORK_COALESCE_MS = 5;

/** Relays `signals` to and from the store's other processes until the store closes. */
export function relaySignals(store: Store, signals: EngineSignals, log: ChannelLog): void {
  if (!store.listen) return;
  let workPending: NodeJS.Timeout | undefined;
  const channel = store.listen(
    CHANNEL,
    {
      message: (message) => signals.receive(message as RelayedSignal),
      // Whatever happened while we were away: look for work now.
      connected: () => signals.receive({ type: 'work' }),
    },
    log,
  );
  signals.relay = {
    publish(signal) {
      if (signal.type === 'job') return channel.publish(signal);
      if (workPending) return;
      workPending = setTimeout(() => {
        workPending = undefined;
        channel.publish({ type: 'work' });
      }, WORK_COALESCE_MS);
    },
  };
  store.onClose(async () => {
    signals.relay = null;
    clearTimeout(workPending);
    await channel.close();
  });
}
