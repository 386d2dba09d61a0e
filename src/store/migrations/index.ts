/**
 * Every migration, in order. Listed here rather than read from a folder at run time, so the
 * set that runs is the set that was type-checked. Never edit a migration that has shipped:
 * add the next one.
 */
import type { Migration } from 'kysely';
import * as foundation from './0001_foundation.ts';
import * as engine from './0002_engine.ts';
import * as talentPool from './0003_talent_pool.ts';
import * as webhooks from './0004_webhooks.ts';
import * as clips from './0005_clips.ts';
import * as knowledge from './0006_knowledge.ts';
import * as agents from './0007_agents.ts';
import * as claimOrderIndex from './0008_claim_order_index.ts';
import * as cheaperJobUpdates from './0009_cheaper_job_updates.ts';
import * as fewerIndexWrites from './0010_fewer_index_writes.ts';
import * as eventsWithoutJobCheck from './0011_events_without_job_check.ts';
import * as searchPerScope from './0012_search_per_scope.ts';
import * as numbersInRange from './0013_numbers_in_range.ts';
import * as itemsCanceled from './0014_items_canceled.ts';
import * as maintenanceLeases from './0015_maintenance_leases.ts';
import * as timestamptz from './0016_timestamptz.ts';
import * as jsonColumns from './0017_json_columns.ts';
import * as processes from './0018_processes.ts';
import * as jobTraceContext from './0019_job_trace_context.ts';
import * as uploadStorage from './0020_upload_storage.ts';
import * as itemEndSeq from './0021_item_end_seq.ts';
import * as idempotencyResponseHeaders from './0022_idempotency_response_headers.ts';
import * as jobReruns from './0023_job_reruns.ts';
import * as throttles from './0024_throttles.ts';
import * as itemEndsIndex from './0025_item_ends_index.ts';

export const migrations: Record<string, Migration> = {
  '0001_foundation': foundation,
  '0002_engine': engine,
  '0003_talent_pool': talentPool,
  '0004_webhooks': webhooks,
  '0005_clips': clips,
  '0006_knowledge': knowledge,
  '0007_agents': agents,
  '0008_claim_order_index': claimOrderIndex,
  '0009_cheaper_job_updates': cheaperJobUpdates,
  '0010_fewer_index_writes': fewerIndexWrites,
  '0011_events_without_job_check': eventsWithoutJobCheck,
  '0012_search_per_scope': searchPerScope,
  '0013_numbers_in_range': numbersInRange,
  '0014_items_canceled': itemsCanceled,
  '0015_maintenance_leases': maintenanceLeases,
  '0016_timestamptz': timestamptz,
  '0017_json_columns': jsonColumns,
  '0018_processes': processes,
  '0019_job_trace_context': jobTraceContext,
  '0020_upload_storage': uploadStorage,
  '0021_item_end_seq': itemEndSeq,
  '0022_idempotency_response_headers': idempotencyResponseHeaders,
  '0023_job_reruns': jobReruns,
  '0024_throttles': throttles,
  '0025_item_ends_index': itemEndsIndex,
};
