/**
 * What a render is, in words: its segment (by the candidate's title, found among the clip's
 * candidates) and its template, from the render job's input. Renders have no name of their own.
 */
import type { ClipCandidate } from 'longrun/client';
import { clock } from '../format.ts';

export interface RenderInput {
  clipId?: string;
  candidateId?: string;
  template?: string;
  captions?: boolean;
  segmentMs?: number;
}

export function renderLabel(input: unknown, candidates: ClipCandidate[]): string {
  const render = (input ?? {}) as RenderInput;
  const candidate = candidates.find((c) => c.id === render.candidateId);
  const segment = candidate ? `“${candidate.title}”` : render.candidateId ? `segment ${render.candidateId}` : 'a segment';
  const length = render.segmentMs ? ` (${clock(render.segmentMs)})` : '';
  return `${segment}${length}, ${render.template ?? 'default'} template${render.captions ? ', captions burnt in' : ''}`;
}
