/**
 * The README read as a test reads it: its fenced blocks in order, each with the mark of the
 * HTML comment just before it (`<!-- example: skip (why) -->`, `needs-internet`, `setup`), and
 * the links of its prose. See readmeExamples.test.ts for what the marks mean.
 */
import fs from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const README = path.join(ROOT, 'README.md');

export const MARKS = ['skip', 'needs-internet', 'setup'] as const;
export type MarkKind = (typeof MARKS)[number];

export interface Block {
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  text: string;
  mark: { kind: string; reason: string } | null;
}

const SHELL = new Set(['sh', 'bash', 'shell', 'console']);

export function isShell(block: Block): boolean {
  return SHELL.has(block.lang);
}

/** Every fenced block of the Markdown, with the mark just before it (blank lines between allowed). */
export function readBlocks(markdown: string): Block[] {
  const lines = markdown.split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    if (i >= lines.length) throw new Error(`README line ${start + 1}: a fenced block that never closes`);
    let before = start - 1;
    while (before >= 0 && lines[before]!.trim() === '') before--;
    const comment = before >= 0 ? /^<!--\s*example:\s*([\w-]+)\s*(?:\((.*)\))?\s*-->$/.exec(lines[before]!.trim()) : null;
    blocks.push({ line: start + 1, lang: open[1]!, text: body.join('\n'), mark: comment ? { kind: comment[1]!, reason: comment[2] ?? '' } : null });
  }
  return blocks;
}

/** The Markdown without its fenced blocks (their lines blanked, so line numbers stay). */
function prose(markdown: string): string {
  let inside = false;
  return markdown
    .split('\n')
    .map((line) => {
      if (/^```/.test(line)) {
        inside = !inside;
        return '';
      }
      return inside ? '' : line;
    })
    .join('\n');
}

/** Targets of Markdown links and images, and of HTML `src`/`href` attributes, outside code. */
export function readLinks(markdown: string): string[] {
  const text = prose(markdown).replace(/`[^`\n]*`/g, '');
  const targets: string[] = [];
  for (const m of text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) targets.push(m[1]!);
  for (const m of text.matchAll(/\b(?:src|href)="([^"]+)"/g)) targets.push(m[1]!);
  return targets;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const m of prose(markdown).matchAll(/^#{1,6}\s+(.+)$/gm)) {
    anchors.add(
      m[1]!
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}\s_-]/gu, '')
        .replace(/\s/g, '-'),
    );
  }
  return anchors;
}

export function readReadme(): string {
  return fs.readFileSync(README, 'utf8');
}
