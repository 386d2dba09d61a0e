/**
 * The API shapes the dashboard reads, as the routes under src/ declare them (TypeBox schemas in
 * src/engine/views.ts, src/scoring/candidate.ts, src/clips/view.ts, src/agents/view.ts,
 * src/webhooks/view.ts, src/server/routes/account.ts). Only the fields the views use.
 */
export type JobStatus = 'queued' | 'running' | 'completed' | 'failed' | 'canceled';
export type ErrorInfo = { code: string; message: string } | null;

export interface Job {
  id: string;
  kind: string;
  status: JobStatus;
  priority: number;
  attempts: number;
  progress: { done: number; total: number; fraction: number | null };
  counts: { pending: number; succeeded: number; failed: number; canceled: number };
  credits: { reserved: number; charged: number };
  input: unknown;
  output: unknown;
  error: ErrorInfo;
  runAt: string;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
}

export interface JobItem {
  key: string;
  status: 'pending' | 'running' | 'succeeded' | 'failed' | 'canceled';
  attempts: number;
  result: unknown;
  error: ErrorInfo;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface JobEvent {
  seq: number;
  type: string;
  jobId: string;
  data: Record<string, unknown> | null;
  createdAt: string;
}

export interface Candidate {
  profileId: string;
  name: string;
  linkedinUrl?: string;
  matchScore: number;
  rationale: string;
  skills: string[];
  headline?: string;
  location?: string;
  currentCompany?: string;
  currentRole?: string;
  aiFitPoints: string[];
  aiRedFlags: string[];
  aiDetailedRationale: { title: string; company: string; duration: string; relevanceExplanation: string }[];
  detailedExperience: { role: string; company: string; duration: string; highlights: string[] }[];
  emails: string[];
}

interface RunBase {
  success: true;
  requestId: string;
  createdAt: string;
}
export type RunFailed = RunBase & { status: 'failed'; errorCode: string; errorMessage: string; completedAt: string };
export type RunProcessing = RunBase & { status: 'processing'; message: string };

export type SourcingResults =
  | RunProcessing
  | RunFailed
  | (RunBase & { status: 'completed'; foundCount: number; scoredCount: number; creditsConsumed: number; completedAt: string; candidates: Candidate[] });

export type ProfileResult =
  | { profileId: string; success: true; candidate: Candidate }
  | { profileId: string; success: false; errorCode: string; errorMessage: string };

export type EnrichmentResults =
  | RunProcessing
  | RunFailed
  | (RunBase & { status: 'completed'; enrichedCount: number; failureCount: number; creditsConsumed: number; completedAt: string; data: ProfileResult[] });

export interface SourcingInput {
  title: string;
  jobDescription: string;
  location: string;
  limit: number;
  query?: string;
}

export interface ClipCandidate {
  id: string;
  startMs: number;
  endMs: number;
  title: string;
  score: number | null;
}

export interface Clip {
  id: string;
  name: string;
  status: 'uploading' | 'processing' | 'ready' | 'rendering' | 'rendered' | 'failed';
  duration: number | null;
  fileSize: number | null;
  width: number | null;
  height: number | null;
  candidates: ClipCandidate[];
  error: string | null;
  createdAt: string;
}

export interface RenderJob {
  id: string;
  clipId: string;
  status: string;
  outputUrl?: string;
  createdAt: string;
  completedAt?: string;
}

export interface Agent {
  id: string;
  name: string;
  kbId?: string;
  platforms: string[];
  postsPerRun: number;
  schedule: string | null;
  timezone: string;
  instructions: string;
  tone: string;
  enabled: boolean;
  lastRunAt: string | null;
  nextRunAt: string | null;
  createdAt: string;
}

export interface AgentRun {
  id: string;
  agentId: string;
  status: 'queued' | 'running' | 'completed' | 'failed';
  postsGenerated: number;
  tokensUsed: number;
  error: string | null;
  startedAt: string;
  completedAt: string | null;
}

export interface AgentPost {
  id: string;
  runId: string;
  platform: string;
  topic: string;
  title: string | null;
  content: string;
  sources: string[];
  tokensUsed: number;
  createdAt: string;
}

export interface WebhookEndpoint {
  id: string;
  name: string | null;
  url: string;
  events: string[];
  enabled: boolean;
  disabledReason: string | null;
  consecutiveFailures: number;
  createdAt: string;
}

export interface WebhookDelivery {
  id: string;
  eventType: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  responseSnippet: string | null;
  nextAttemptAt: string | null;
  payload: unknown;
  history: { attempt: number; at: string; statusCode: number | null; error: string | null; durationMs: number }[];
  createdAt: string;
  deliveredAt: string | null;
}

export interface Balance {
  available: number;
  reserved: number;
}

export interface LedgerEntry {
  id: string;
  kind: 'grant' | 'reserve' | 'charge' | 'release';
  amount: number;
  ref: string | null;
  itemRef: string | null;
  note: string | null;
  createdAt: string;
}

export interface Me {
  organisation: { id: string; name: string };
  key: { id: string; name: string; scopes: string[] };
}
