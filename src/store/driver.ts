/**
 * What differs between SQLite and PostgreSQL beyond the connection (dialect.ts): one `Driver`
 * per database, made of one small module per operation under `sqlite/` and `postgres/`. Code
 * above the store asks the driver of its handle (`driverOf`) and never branches on the database
 * itself, as River's engine asks its `riverdriver`.
 */
import type { Kysely, RawBuilder, Selectable, SelectQueryBuilder } from 'kysely';
import type { DialectName } from './dialect.ts';
import { dialectOf } from './dialect.ts';
import type { NewItem } from './jobRows.ts';
import { postgresDriver } from './postgres/index.ts';
import type { Database, JobsTable } from './schema.ts';
import { sqliteDriver } from './sqlite/index.ts';

type Db = Kysely<Database>;

/** What the full-text index holds for a profile, column by column (weighted differently). */
export interface ProfileSearchDocument {
  headline: string;
  titles: string;
  skills: string;
  highlights: string;
}

/** The profile whose entry is written or removed; `search_rowid` is SQLite's handle on its FTS5 row. */
export interface IndexedProfile {
  id: string;
  org_id: string;
  search_rowid: number | null;
}

export interface IndexedPassage {
  id: string;
  heading: string | null;
  content: string;
}

/** A ranked match: higher `relevance` is better, on either database. */
export interface Ranked {
  id: string;
  relevance: number;
}

export interface Driver {
  name: DialectName;
  /** How many transactions may write at once: SQLite has one writer. */
  concurrentWriters: number;

  /**
   * The time now, to the millisecond (read back, like every time, as ISO 8601 in UTC), by the
   * database's clock: on PostgreSQL the transaction's `now()`, so a process whose clock is wrong
   * can neither expire nor extend a lease, nor run a job early; on SQLite this process's clock,
   * which is the database's (every process is on the machine that holds the file). Leases, due
   * times and organisations' turns are written and compared with it.
   */
  now(): RawBuilder<string>;
  /** `now()` plus `ms` milliseconds, by the same clock. */
  nowPlus(ms: number): RawBuilder<string>;

  /**
   * Claim: takes the organisation's turn (`engine_org_turns` row) for this transaction. With
   * `wait`, waits for another claimer holding it; without, false when it is held.
   */
  orgTurnTake(trx: Db, orgId: string, wait: boolean): Promise<boolean>;
  /** Claim: locks the rows a candidate query selects, passing over those another claimer holds. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  claimLock<QB extends SelectQueryBuilder<any, any, any>>(query: QB): QB;
  /**
   * Locks the rows a query selects for the transaction: with `wait`, waiting for another
   * transaction holding one; without, passing over those held (a caller that holds other rows
   * already and must not wait). SQLite's one writer holds every row already.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  rowLock<QB extends SelectQueryBuilder<any, any, any>>(query: QB, wait: boolean): QB;
  /** Inserts jobs and their items (the jobs' foreign keys checked at the end). */
  jobsInsert(trx: Db, jobs: Selectable<JobsTable>[], items: NewItem[]): Promise<void>;

  /** Writes (or rewrites) a profile's full-text entry, in the caller's transaction. */
  profileIndexPut(trx: Db, profile: IndexedProfile, doc: ProfileSearchDocument): Promise<void>;
  /** Removes a profile's entry; call before the profile row goes. */
  profileIndexDelete(trx: Db, profile: IndexedProfile): Promise<void>;
  /** One organisation's profiles holding any of `terms`, best first, and how many there are. */
  profilesSearch(db: Db, orgId: string, terms: string[], limit: number): Promise<{ ranked: Ranked[]; total: number }>;

  /** Removes the entries of a document's passages; call before the passage rows go. */
  passagesIndexDeleteForDoc(trx: Db, kbId: string, docId: string): Promise<void>;
  /** Writes the entries of passages just inserted into `kb_chunks`. */
  passagesIndexPut(trx: Db, kbId: string, passages: IndexedPassage[]): Promise<void>;
  /** Removes a knowledge base's whole index. */
  passagesIndexDeleteForKb(trx: Db, kbId: string): Promise<void>;
  /**
   * One knowledge base's passages holding any of `terms`, best first, and how many there are.
   * `headingsToo`: a word found only in the section heading counts (otherwise the text only).
   */
  passagesSearch(db: Db, kbId: string, terms: string[], limit: number, headingsToo: boolean): Promise<{ ranked: Ranked[]; total: number }>;
}

/** The driver of a handle (a transaction's is its database's). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function driverOf(db: Kysely<any>): Driver {
  return dialectOf(db) === 'postgres' ? postgresDriver : sqliteDriver;
}
