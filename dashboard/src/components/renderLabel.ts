/**
 * What a render is, in words: its segment (by the candidate's title, found among the clip's
 * candidates) and its template, from the render job's input. Renders have no name of their own.
 */
import type { ClipCandidate } from 'longrun/client';

export interface RenderInput {
  clipId?: string;
  candidateId?: string;
  template?: string;
  captions?: boolean;
}

export function renderLabel(input: unknown, candidates: ClipCandidate[]): string {
  const render = (input ?? {}) as RenderInput;
  const candidate = candidates.find((c) => c.id === render.candidateId);
  const segment = candidate ? `“${candidate.title}”` : render.candidateId ? `segment ${render.candidateId}` : 'a segment';
  return `${segment}, ${render.template ?? 'default'} template${render.captions ? ', captions burnt in' : ''}`;
}
