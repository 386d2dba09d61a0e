/**
 * A one-line progress bar for a terminal: redrawn in place with a carriage return, cut to the
 * terminal's width so it never wraps, and ended with a newline so what follows starts clean.
 * Only for a TTY; elsewhere the commands print plain lines.
 */

export function bar(fraction: number, width = 24): string {
  const clamped = Math.min(Math.max(fraction, 0), 1);
  const filled = Math.round(clamped * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

export class ProgressLine {
  private drawn = false;

  constructor(private readonly stream: NodeJS.WriteStream) {}

  show(text: string): void {
    const width = Math.max((this.stream.columns || 80) - 1, 10);
    this.stream.write(`\r\x1b[2K${text.length > width ? text.slice(0, width) : text}`);
    this.drawn = true;
  }

  end(): void {
    if (this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}
