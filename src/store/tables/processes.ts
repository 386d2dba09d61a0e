/** The processes sharing the database, each with its last heartbeat (migration 0018). */
export type ProcessRole = 'api' | 'worker';

export interface ProcessesTable {
  /** The engine's lease owner, host:pid:nonce. */
  id: string;
  host: string;
  pid: number;
  role: ProcessRole;
  version: string;
  started_at: string;
  /** The last heartbeat, by the database's clock. */
  beat_at: string;
  /** The process counts as alive until then: its last beat plus a few intervals. */
  alive_until: string;
  /** Jobs the process held at its last beat. */
  jobs_held: number;
  /** Items it processes at once (0: serves the API only). */
  worker_slots: number;
}
