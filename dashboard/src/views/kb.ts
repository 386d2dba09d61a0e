/**
 * One knowledge base: upload a document (with the bytes sent as a progress bar), each
 * document's ingestion status (followed until it is indexed or failed), a passage search, and
 * deleting a document (once ingested: the API refuses one still processing) or the whole base,
 * each confirmed first.
 */
import { client, LongrunError } from '../api.ts';
import { newestOnly } from '../newest.ts';
import { confirmButton } from '../components/confirm.ts';
import { field, formError, input, onSubmit } from '../components/form.ts';
import { statusBadge } from '../components/status.ts';
import { stackTable } from '../components/table.ts';
import { uploadProgress } from '../components/uploadProgress.ts';
import { facts, h, replaceChildren } from '../dom.ts';
import { when } from '../format.ts';
import { announce } from '../live.ts';
import { navigate, type ViewContext } from '../router.ts';
import { sendWithProgress } from '../sendWithProgress.ts';
import type { DocumentType, KbDoc } from 'longrun/client';

const POLL_MS = 1000;
const TYPES: Record<string, DocumentType> = {
  md: 'text/markdown',
  markdown: 'text/markdown',
  txt: 'text/plain',
  html: 'text/html',
  htm: 'text/html',
  pdf: 'application/pdf',
};

/** The content type the server reads a file as: its own type when known, else by extension. */
function typeOf(file: File): DocumentType | null {
  if ((Object.values(TYPES) as string[]).includes(file.type)) return file.type as DocumentType;
  return TYPES[file.name.split('.').pop()?.toLowerCase() ?? ''] ?? null;
}

export async function kbView({ root, params, signal }: ViewContext): Promise<void> {
  const id = params.kbId!;
  const kb = await client().kbs.get(id, { signal });
  const docs = h('section', { 'aria-labelledby': 'kb-docs' });
  const message = h('p', { class: 'message', role: 'status', tabindex: -1 });
  let timer: ReturnType<typeof setTimeout> | undefined;
  signal.addEventListener('abort', () => clearTimeout(timer));

  const deleteDoc = (d: KbDoc) => {
    const name = d.title ?? d.uri;
    return confirmButton(
      'Delete',
      `Delete ${name} and its passages?`,
      async () => {
        try {
          await client().kbs.deleteDocument(id, d.id, { signal });
          message.textContent = `${name} deleted.`;
          await loadDocs();
        } catch (error) {
          message.textContent = error instanceof LongrunError ? error.message : String(error);
        }
        // The row and its buttons are gone: focus goes to what happened.
        message.focus();
      },
      { 'aria-label': `Delete ${name}`, 'data-key': `delete-${d.id}` },
    );
  };

  // A timed look sent before a delete may be answered after the one the delete made.
  const docsTurn = newestOnly();
  /** `poll`: a look again while documents are processing, not the user's (api.ts). */
  const loadDocs = async (poll = false) => {
    const current = docsTurn();
    const page = await client(undefined, { poll }).kbs.documents(id, { limit: 100 }, { signal });
    if (!current()) return;
    const rows = page.docs.map((d: KbDoc) => [
      h('span', { class: 'wrap' }, d.title ?? d.uri),
      statusBadge(d.status),
      String(d.passages),
      d.error ? h('span', { class: 'error-text' }, d.error) : '',
      when(d.createdAt),
      d.status === 'processing' ? h('span', { class: 'muted' }, 'once ingested') : deleteDoc(d),
    ]);
    replaceChildren(
      docs,
      h('h2', { id: 'kb-docs' }, `Documents (${page.total})`),
      stackTable('Documents', ['Document', 'Status', 'Passages', 'Error', 'Uploaded', 'Delete'], rows, 'No documents yet.'),
    );
    // Ingestion runs as a job: look again until no document is still processing.
    clearTimeout(timer);
    if (page.docs.some((d) => d.status === 'processing') && !signal.aborted) timer = setTimeout(() => void loadDocs(true).catch(() => undefined), POLL_MS);
  };

  const progress = uploadProgress('doc-upload-progress', 'Upload');
  progress.element.hidden = true;
  const uploadError = formError();
  const upload = h(
    'form',
    { class: 'card', 'aria-labelledby': 'upload-doc' },
    h('h2', { id: 'upload-doc' }, 'Upload a document'),
    field('doc-file', 'File', input('file', { type: 'file', required: true, accept: '.md,.markdown,.txt,.html,.htm,.pdf' }), 'Markdown, text, HTML or PDF.'),
    field('doc-title', 'Title', input('title', { maxlength: 300 })),
    h('button', { type: 'submit' }, 'Upload'),
    progress.element,
    uploadError,
  );
  onSubmit(upload, uploadError, async (data) => {
    const file = data.get('file');
    if (!(file instanceof File) || file.size === 0) throw new Error('Choose a file.');
    const contentType = typeOf(file);
    if (!contentType) throw new Error(`${file.name}: not Markdown, text, HTML or PDF.`);
    const title = String(data.get('title') ?? '').trim() || file.name;
    progress.element.hidden = false;
    progress.update(0, file.size);
    const doc = await sendWithProgress<KbDoc>({
      method: 'POST',
      path: `/kbs/${encodeURIComponent(id)}/docs?${new URLSearchParams({ title })}`,
      body: file,
      contentType,
      onProgress: (sent, total) => progress.update(sent, total),
      signal,
    });
    progress.update(file.size, file.size);
    announce(`${doc.title ?? file.name} uploaded; indexing.`);
    upload.reset();
    await loadDocs();
  });

  const results = h('div', { 'aria-live': 'polite' });
  const searchError = formError();
  const search = h(
    'form',
    { class: 'card', role: 'search', 'aria-labelledby': 'kb-search' },
    h('h2', { id: 'kb-search' }, 'Search'),
    field('kb-query', 'Search passages', input('query', { type: 'search', required: true, maxlength: 500 })),
    h('button', { type: 'submit' }, 'Search'),
    searchError,
    results,
  );
  onSubmit(search, searchError, async (data) => {
    try {
      const answer = await client().kbs.search(id, { query: String(data.get('query')).trim(), limit: 10 }, { signal });
      replaceChildren(
        results,
        h('p', null, `${answer.total} passage${answer.total === 1 ? '' : 's'} found.`),
        h(
          'ol',
          { class: 'search-results' },
          answer.results.map((r) =>
            h('li', { class: 'card' }, h('p', { class: 'post-content' }, r.content), h('p', { class: 'muted' }, `${r.uri} · ${r.matchReason}`)),
          ),
        ),
      );
    } catch (error) {
      if (error instanceof LongrunError) throw new Error(error.message);
      throw error;
    }
  });

  const deleteKb = confirmButton('Delete knowledge base', `Delete ${kb.name} with its documents and passages?`, async () => {
    try {
      await client().kbs.delete(id, { signal });
      announce(`Knowledge base ${kb.name} deleted.`);
      navigate('/kbs');
    } catch (error) {
      message.textContent = error instanceof LongrunError ? error.message : String(error);
      message.focus();
    }
  });

  await loadDocs();
  root.append(
    h('h1', { tabindex: -1 }, kb.name),
    facts([
      ['Description', kb.description],
      ['Created', when(kb.createdAt)],
    ]),
    h('div', { class: 'actions' }, deleteKb),
    message,
    h('div', { class: 'columns' }, upload, search),
    docs,
  );
}
