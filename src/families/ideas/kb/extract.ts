/**
 * Text out of a document: plain text as it is, Markdown as it is (headings kept for chunking),
 * HTML through htmlparser2 with scripts, styles and other non-content dropped and headings turned
 * into Markdown headings, PDF through pdf-parse (pure JS). A file that is not what it claims is a
 * typed error with the reason.
 */
import { Parser } from 'htmlparser2';

export type DocType = 'text' | 'markdown' | 'html' | 'pdf';

export const DOC_MIME: Record<DocType, string> = { text: 'text/plain', markdown: 'text/markdown', html: 'text/html', pdf: 'application/pdf' };

export class ExtractError extends Error {
  override name = 'ExtractError';
}

export function docTypeOf(contentType: string, uri: string): DocType | null {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/pdf' || /\.pdf$/i.test(uri)) return 'pdf';
  if (type === 'text/html' || type === 'application/xhtml+xml' || /\.html?$/i.test(uri)) return 'html';
  if (type === 'text/markdown' || type === 'text/x-markdown' || /\.(md|markdown)$/i.test(uri)) return 'markdown';
  if (type === 'text/plain' || /\.txt$/i.test(uri)) return 'text';
  return null;
}

/** What a fetched file is when its name and Content-Type do not say: PDF magic, an HTML tag, else text. */
export function sniffDocType(bytes: Buffer): DocType {
  const head = bytes.subarray(0, 512).toString('latin1');
  if (head.startsWith('%PDF-')) return 'pdf';
  if (/<\s*(!doctype\s+html|html|head|body)\b/i.test(head)) return 'html';
  return 'text';
}

const SKIP = new Set(['script', 'style', 'noscript', 'template', 'svg', 'head', 'iframe', 'object']);
const BLOCK = new Set(['p', 'div', 'section', 'article', 'li', 'br', 'tr', 'blockquote', 'pre', 'ul', 'ol', 'table', 'header', 'footer', 'main']);

export function htmlToText(html: string): { text: string; title: string | null } {
  let out = '';
  let skipping = 0;
  let inTitle = false;
  let title = '';
  const parser = new Parser(
    {
      onopentag(name) {
        if (SKIP.has(name)) skipping++;
        if (name === 'title') inTitle = true;
        const heading = /^h([1-6])$/.exec(name);
        if (heading) out += `\n\n${'#'.repeat(Number(heading[1]))} `;
        else if (BLOCK.has(name)) out += '\n\n';
      },
      ontext(text) {
        if (inTitle) title += text;
        if (skipping === 0) out += text;
      },
      onclosetag(name) {
        if (SKIP.has(name)) skipping = Math.max(0, skipping - 1);
        if (name === 'title') inTitle = false;
        if (/^h[1-6]$/.test(name) || BLOCK.has(name)) out += '\n\n';
      },
    },
    { decodeEntities: true },
  );
  parser.write(html);
  parser.end();
  const text = out
    .split('\n')
    .map((l) => l.replace(/[ \t\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { text, title: title.trim() || null };
}

export async function extractText(type: DocType, bytes: Buffer): Promise<{ text: string; title: string | null }> {
  if (type === 'pdf') {
    if (bytes.subarray(0, 5).toString('latin1') !== '%PDF-') throw new ExtractError('The file is not a PDF (it does not start with %PDF-).');
    // Loaded on the first PDF only: pdf-parse and its pdfjs add about 34 MB to every process.
    const { PDFParse } = await import('pdf-parse');
    let text: string;
    try {
      text = (await new PDFParse({ data: new Uint8Array(bytes) }).getText()).text;
    } catch (error) {
      throw new ExtractError(`The PDF could not be read: ${(error as Error).message}`);
    }
    text = text.replace(/\n*-- \d+ of \d+ --\n*/g, '\n\n').trim();
    if (!text) throw new ExtractError('The PDF has no text (scanned pages are not read).');
    return { text, title: null };
  }
  const raw = bytes.toString('utf8');
  if (raw.includes('\u0000')) throw new ExtractError('The file is binary, not text.');
  if (type === 'html') return htmlToText(raw);
  const heading = type === 'markdown' ? (/^#\s+(.+)$/m.exec(raw)?.[1]?.trim() ?? null) : null;
  return { text: raw.replace(/\r\n/g, '\n').trim(), title: heading };
}
