/**
 * Clips: the organisation's videos with their status and how many candidate segments were
 * found, and an upload form (resumable, with a progress bar).
 */
import { client } from '../api.ts';
import { field, formError, input, onSubmit } from '../components/form.ts';
import { pager } from '../components/pager.ts';
import { uploadResumably } from '../components/resumableUpload.ts';
import { uploadProgress } from '../components/uploadProgress.ts';
import { statusBadge } from '../components/status.ts';
import { stackTable } from '../components/table.ts';
import { h, link, replaceChildren } from '../dom.ts';
import { bytes, clock, when } from '../format.ts';
import { announce } from '../live.ts';
import { navigate, type ViewContext } from '../router.ts';

const PAGE = 25;

export async function clipsView({ root, signal }: ViewContext): Promise<void> {
  const list = h('div');
  let offset = 0;
  const load = async () => {
    const { clips, total } = await client().clips.list({ limit: PAGE, offset }, { signal });
    const rows = clips.map((c) => [
      link(['clips', c.id], c.name, { 'data-key': c.id }),
      statusBadge(c.status),
      c.duration === null ? '—' : clock(c.duration * 1000),
      bytes(c.fileSize),
      String(c.candidates.length),
      when(c.createdAt),
    ]);
    replaceChildren(
      list,
      stackTable('Clips', ['Clip', 'Status', 'Length', 'Size', 'Segments', 'Uploaded'], rows, 'No clips yet. Upload one below.'),
      pager(
        { offset, limit: PAGE, total },
        (o) => {
          offset = o;
          void load();
        },
        'Clip pages',
      ),
    );
  };
  const progress = uploadProgress('clip-upload-progress', 'Upload');
  progress.element.hidden = true;
  const note = h('p', { class: 'message', role: 'status' });
  const error = formError();
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'upload-clip' },
    h('h2', { id: 'upload-clip' }, 'Upload a clip'),
    field(
      'clip-file',
      'Video file',
      input('file', { type: 'file', required: true, accept: 'video/*,audio/*' }),
      'If it stops, choose the same file again: it goes on where it stopped.',
    ),
    field('clip-name', 'Name', input('name', { maxlength: 200 })),
    h('button', { type: 'submit' }, 'Upload'),
    progress.element,
    note,
    error,
  );
  onSubmit(form, error, async (data) => {
    const file = data.get('file');
    if (!(file instanceof File) || file.size === 0) throw new Error('Choose a file.');
    const name = String(data.get('name') ?? '').trim() || file.name;
    progress.element.hidden = false;
    note.textContent = '';
    const clip = await uploadResumably(
      file,
      name,
      (done, total, resumed) => {
        progress.update(done, total);
        if (resumed) note.textContent = 'Resuming the earlier upload of this file.';
      },
      signal,
    );
    announce(`${clip.name} uploaded; analysing.`);
    navigate(`/clips/${encodeURIComponent(clip.id)}`);
  });
  await load();
  root.append(h('h1', { tabindex: -1 }, 'Clips'), list, form);
}
