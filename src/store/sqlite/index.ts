/** The SQLite driver (see driver.ts): one module per operation. */
import type { Driver } from '../driver.ts';
import { claimLock, orgTurnTake, rowLock } from './claim.ts';
import { now, nowPlus } from './clock.ts';
import { jobsInsert } from './jobInsert.ts';
import { passagesIndexDeleteForDoc, passagesIndexDeleteForKb, passagesIndexPut, passagesSearch } from './passageSearch.ts';
import { profileIndexDelete, profileIndexPut, profilesSearch } from './profileSearch.ts';

export const sqliteDriver: Driver = {
  name: 'sqlite',
  concurrentWriters: 1,
  now,
  nowPlus,
  orgTurnTake,
  claimLock,
  rowLock,
  jobsInsert,
  profileIndexPut,
  profileIndexDelete,
  profilesSearch,
  passagesIndexDeleteForDoc,
  passagesIndexPut,
  passagesIndexDeleteForKb,
  passagesSearch,
};
