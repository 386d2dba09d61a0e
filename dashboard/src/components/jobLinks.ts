/** Where a job's own view is, beside its generic detail: a run's results, a render's clip, an agent. */
import { link } from '../dom.ts';
import type { Job } from 'longrun/client';

export const KINDS = ['sourcing', 'enrichment', 'clip.analysis', 'clip.render', 'kb.ingest', 'idea.enrich', 'agent.run', 'webhook', 'sleep'];

export function resultsLink(job: Pick<Job, 'id' | 'kind' | 'input'>): HTMLAnchorElement | null {
  const input = (job.input ?? {}) as { clipId?: string; agentId?: string };
  switch (job.kind) {
    case 'sourcing':
      return link(['sourcing', job.id], 'Ranked candidates');
    case 'enrichment':
      return link(['enrich', job.id], 'Enrichment results');
    case 'clip.render':
    case 'clip.analysis':
      return input.clipId ? link(['clips', input.clipId], 'The clip') : null;
    case 'idea.enrich':
      return link(['ideas', job.id], 'The drafts');
    case 'agent.run':
      return input.agentId ? link(['agents', input.agentId], 'The agent') : null;
    default:
      return null;
  }
}

export function isUnfinished(job: Pick<Job, 'status'>): boolean {
  return job.status === 'queued' || job.status === 'running';
}
