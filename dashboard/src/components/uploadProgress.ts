/** A native progress bar for an upload, named by its label, with the bytes written out beside it. */
import { h } from '../dom.ts';
import { bytes } from '../format.ts';

export interface UploadProgress {
  element: HTMLElement;
  update(sent: number, total: number): void;
}

export function uploadProgress(id: string, label: string): UploadProgress {
  const bar = h('progress', { id, max: 1, value: 0, 'aria-labelledby': `${id}-label` });
  const text = h('span', { class: 'progress-text' });
  const element = h('div', { class: 'progress upload-progress' }, h('span', { class: 'progress-label', id: `${id}-label` }, label), bar, text);
  return {
    element,
    update(sent, total) {
      bar.max = Math.max(total, 1);
      bar.value = Math.min(sent, total);
      const percent = total === 0 ? 100 : Math.floor((sent / total) * 100);
      text.textContent = `${bytes(sent)} of ${bytes(total)} (${percent}%)`;
      bar.setAttribute('aria-valuetext', text.textContent);
    },
  };
}
