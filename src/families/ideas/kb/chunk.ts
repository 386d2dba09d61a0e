/**
 * Chunks for search: a document is cut at its headings (Markdown `#` lines; HTML headings were
 * turned into these), each section into paragraphs, and paragraphs packed into chunks of about
 * 1,000 characters. Consecutive chunks of a section overlap by their last paragraph (up to 300
 * characters), so a passage that straddles a cut is still found whole in one of them.
 */

export interface Chunk {
  heading: string | null;
  content: string;
}

const TARGET = 1000;
const OVERLAP = 300;

function splitLong(paragraph: string): string[] {
  if (paragraph.length <= TARGET) return [paragraph];
  const parts: string[] = [];
  let rest = paragraph;
  while (rest.length > TARGET) {
    const cut = rest.lastIndexOf(' ', TARGET);
    const at = cut > TARGET / 2 ? cut : TARGET;
    parts.push(rest.slice(0, at).trim());
    rest = rest.slice(at).trim();
  }
  if (rest) parts.push(rest);
  return parts;
}

export function chunkText(text: string): Chunk[] {
  const sections: { heading: string | null; body: string[] }[] = [{ heading: null, body: [] }];
  for (const line of text.split('\n')) {
    const heading = /^#{1,6}\s+(.*)$/.exec(line.trim());
    if (heading) sections.push({ heading: heading[1]!.trim(), body: [] });
    else sections[sections.length - 1]!.body.push(line);
  }
  const chunks: Chunk[] = [];
  for (const section of sections) {
    const paragraphs = section.body
      .join('\n')
      .split(/\n\s*\n/)
      .map((p) => p.replace(/\s*\n\s*/g, ' ').trim())
      .filter(Boolean)
      .flatMap(splitLong);
    let current: string[] = [];
    const flush = () => {
      if (current.length > 0) chunks.push({ heading: section.heading, content: current.join('\n\n') });
    };
    for (const paragraph of paragraphs) {
      const length = current.reduce((n, p) => n + p.length + 2, 0);
      if (current.length > 0 && length + paragraph.length > TARGET) {
        flush();
        const last = current[current.length - 1]!;
        current = last.length <= OVERLAP ? [last] : [];
      }
      current.push(paragraph);
    }
    flush();
    if (paragraphs.length === 0 && section.heading) chunks.push({ heading: section.heading, content: section.heading });
  }
  return chunks;
}
