/** The line under a run that is still processing: it is followed live, and its job is one click away. */
import { h, link } from '../dom.ts';

export function runWatchNote(jobId: string): HTMLElement {
  return h('p', { class: 'muted' }, 'This page updates by itself when the run ends. ', link(['jobs', jobId], 'Job detail'));
}
