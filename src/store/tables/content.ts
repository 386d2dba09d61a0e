/** Knowledge bases with their documents and passages, and agents with their runs and posts. */
export interface KbsTable {
  id: string;
  org_id: string;
  name: string;
  description: string | null;
  created_at: string;
  updated_at: string;
}

export interface KbDocsTable {
  id: string;
  kb_id: string;
  org_id: string;
  uri: string;
  title: string | null;
  content_type: string;
  status: 'processing' | 'indexed' | 'failed';
  error: string | null;
  /** Uploaded bytes (base64) until ingested. */
  source: string | null;
  chunks: number;
  created_at: string;
  updated_at: string;
}

export interface KbChunksTable {
  id: string;
  doc_id: string;
  kb_id: string;
  seq: number;
  heading: string | null;
  content: string;
  search_rowid: number | null;
}

export type Tone = 'professional' | 'casual' | 'educational' | 'inspirational' | 'humorous';

export interface AgentsTable {
  id: string;
  org_id: string;
  name: string;
  kb_id: string | null;
  /** JSON array of platform names. */
  platforms: string;
  posts_per_run: number;
  /** A 5-field cron expression; null for a manual agent. */
  schedule: string | null;
  /** IANA name; the schedule is read in it. */
  timezone: string;
  instructions: string;
  tone: Tone;
  enabled: number;
  last_run_at: string | null;
  /** The next tick to fire; null when nothing is scheduled (manual or disabled). */
  next_run_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface AgentRunsTable {
  /** The job's ID (`run_<ULID>`), or its own for a run refused before it had a job. */
  id: string;
  agent_id: string;
  org_id: string;
  job_id: string | null;
  trigger: 'manual' | 'schedule';
  /** The cron tick a scheduled run fires for; unique per agent. */
  scheduled_for: string | null;
  /** JSON array of the passage IDs written about. */
  passages: string;
  /** Copied from the job when it ends. */
  final_status: 'completed' | 'failed' | null;
  error: string | null;
  /** When the run was triggered. */
  created_at: string;
  completed_at: string | null;
}

export interface AgentPostsTable {
  id: string;
  run_id: string;
  agent_id: string;
  org_id: string;
  item_key: string;
  platform: string;
  topic: string;
  title: string | null;
  content: string;
  /** JSON array of cited URIs. */
  sources: string;
  tokens_used: number;
  created_at: string;
}
