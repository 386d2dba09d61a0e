/**
 * Runs ffmpeg or ffprobe as a child process. Guarantees: an abort signal kills the process
 * (SIGKILL: ffmpeg may ignore SIGTERM while writing) and the promise settles only after it has
 * exited, so no ffmpeg outlives a canceled job; stderr is kept (bounded) for error messages and
 * progress parsing; a read of a URL input that broke off is reported even when ffmpeg exits 0.
 * With tracing on, each run is a span (`ffmpeg`, `ffprobe`) under the item's.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { SpanStatusCode, trace } from '@opentelemetry/api';

export interface RunResult {
  code: number | null;
  /** The signal that ended it (SIGSEGV when it crashed), else null. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** With `input` given: what ffmpeg said when its read of that URL failed, whatever its exit code; else null. */
  readFailure: string | null;
}

/**
 * Why a run failed, never empty: "crashed (SIGSEGV): <its last lines>" or "exited with 1: …";
 * a tool that printed nothing says so.
 */
export function runFailure(result: RunResult, lines = 1): string {
  const how = result.signal ? `crashed (${result.signal})` : `exited with ${result.code}`;
  const said = result.stderr.trim().split('\n').slice(-lines).join(' ').trim();
  return said ? `${how}: ${said}` : `${how} and printed nothing`;
}

/**
 * ffmpeg's options for reading `input`: a URL (a storage's presigned GET) whose answer ends early
 * reconnects, resuming at its offset, for a few seconds; a local path needs none. Not
 * `-reconnect_on_network_error`: the npm fallback, ffmpeg 4.1, refuses it and would read nothing.
 */
export function inputOptions(input: string): string[] {
  return isUrl(input) ? ['-reconnect', '1', '-reconnect_delay_max', '2'] : [];
}

/**
 * Reads ffmpeg's or ffprobe's stderr line by line, answering what it said once its read of the
 * URL `input` failed on the network, else null. Past its reconnects it stops reading and can
 * still exit 0 with only what it had read, so the exit code alone would pass a truncated render
 * or a duration measured on part of a file. ffmpeg 5.1 says `<url>: Input/output error`; 4.1 (the
 * npm fallback) only has the MP4 demuxer say `partial file`; ffprobe says neither, but its HTTP
 * reader says where the answer ended, and says it again at the same byte when reconnecting got
 * nothing more (once means the reconnect resumed it).
 */
function inputReadWatcher(input: string): (line: string) => string | null {
  const endedAt = new Set<string>();
  return (line) => {
    if (PARTIAL_MP4.test(line)) return 'the file ended early (partial file)';
    const ended = PREMATURE_END.exec(line);
    if (ended) {
      if (endedAt.has(ended[1]!)) return `the connection ended at byte ${ended[1]} and reconnecting read nothing more`;
      endedAt.add(ended[1]!);
      return null;
    }
    if (!line.startsWith(`${input}: `)) return null;
    const said = line.slice(input.length + 2).trim();
    return NETWORK_FAILURE.test(said) ? said : null;
  };
}

const NETWORK_FAILURE =
  /^(Input\/output error|Connection refused|Connection reset by peer|Connection timed out|Network is unreachable|Broken pipe|Server returned 5\d\d)/;
const PREMATURE_END = /^\[https? @ 0x[0-9a-f]+\] Stream ends prematurely at (\d+), should be \d+$/;
const PARTIAL_MP4 = /^\[mov,mp4[^\]]*\] stream \d+, offset 0x[0-9a-f]+: partial file$/;
const isUrl = (input: string) => /^https?:\/\//.test(input);

const KEEP = 4 * 1024 * 1024;
const tracer = trace.getTracer('longrun');

export function runTool(
  binary: string,
  args: string[],
  options: {
    signal?: AbortSignal;
    onStderrLine?: (line: string) => void;
    onStdoutLine?: (line: string) => void;
    /** The URL or path it reads, for `readFailure`. */
    input?: string;
  } = {},
): Promise<RunResult> {
  const name = path.basename(binary).replace(/\.exe$/, '');
  // A URL's query is cut: a presigned GET's is a credential for the object.
  const shown = args.map((arg) => (isUrl(arg) ? arg.replace(/\?.*$/s, '?…') : arg));
  const span = tracer.startSpan(name, { attributes: { 'process.executable.name': name, 'process.command_args': [name, ...shown] } });
  const run = new Promise<RunResult>((resolve, reject) => {
    if (options.signal?.aborted) return reject(options.signal.reason);
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const lines = (onLine: ((line: string) => void) | undefined) => {
      let rest = '';
      return (chunk: Buffer) => {
        if (!onLine) return;
        rest += chunk.toString();
        const parts = rest.split(/\r?\n|\r/);
        rest = parts.pop() ?? '';
        for (const line of parts) onLine(line);
      };
    };
    let readFailure: string | null = null;
    const { input, onStderrLine } = options;
    const outLines = lines(options.onStdoutLine);
    // Every line, not only the kept stderr: the failure may come after megabytes of analysis output.
    const watch = input !== undefined && isUrl(input) ? inputReadWatcher(input) : null;
    const errLines = lines(
      watch === null
        ? onStderrLine
        : (line) => {
            readFailure ??= watch(line);
            onStderrLine?.(line);
          },
    );
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < KEEP) stdout += d.toString();
      outLines(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < KEEP) stderr += d.toString();
      errLines(d);
    });
    const kill = () => child.kill('SIGKILL');
    options.signal?.addEventListener('abort', kill, { once: true });
    child.on('error', (error) => {
      options.signal?.removeEventListener('abort', kill);
      reject(error);
    });
    child.on('close', (code, signal) => {
      options.signal?.removeEventListener('abort', kill);
      if (options.signal?.aborted) return reject(options.signal.reason);
      resolve({ code, signal, stdout, stderr, readFailure });
    });
  });
  if (!span.isRecording()) return run;
  return run.then(
    (result) => {
      span.setAttribute('process.exit.code', result.code ?? -1);
      if (result.code !== 0)
        span.setStatus({ code: SpanStatusCode.ERROR, message: result.signal ? `crashed (${result.signal})` : `exited with ${result.code}` });
      span.end();
      return result;
    },
    (error: unknown) => {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
      span.end();
      throw error;
    },
  );
}
