/**
 * Runs the real `longrun` command as a child process, as `npx longrun` does: bin/longrun.mjs on
 * dist/, which `npm test` builds first. A dist/ older than src/ is refused, so a test never
 * checks old code; through tsx each process took twice as long to start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { assertDistIsCurrent } from './builtDist.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/longrun.mjs');

let distChecked = false;
/** The arguments to `node` that run `longrun`; checked before the first process: never an old dist/. */
export function binArgs(): string[] {
  if (!distChecked) assertDistIsCurrent();
  distChecked = true;
  return [BIN];
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...binArgs(), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** Everything the process printed on stdout so far. */
  output(): string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

/** Starts `longrun <command> --port 0` and waits until its stdout matches `ready` (group 1: its URL). */
function startLongrunProcess(command: 'serve' | 'worker', ready: RegExp, args: string[], env: Record<string, string>): Promise<ServeProcess> {
  const child = spawn(process.execPath, [...binArgs(), command, '--port', '0', ...args], {
    env: { ...process.env, LONGRUN_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${command} did not start in time:\n${stdout}\n${stderr}`)), 20_000);
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const match = ready.exec(stdout);
      if (match) {
        clearTimeout(timer);
        // Give the rest of a banner a moment to arrive in the same tick of output.
        setImmediate(() => resolve({ child, url: match[1]!, output: () => stdout, exited }));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${command} exited with ${code} before it was ready:\n${stdout}\n${stderr}`));
    });
  });
}

/** Starts `longrun serve --port 0` and waits until it says where it listens. */
export function startServeProcess(args: string[], env: Record<string, string> = {}): Promise<ServeProcess> {
  return startLongrunProcess('serve', /longrun is serving on (http:\/\/\S+)/, args, env);
}

/** Starts `longrun worker --port 0` and waits until it says it runs. */
export function startWorkerProcess(args: string[], env: Record<string, string> = {}): Promise<ServeProcess> {
  return startLongrunProcess('worker', /health and metrics on (http:\/\/\S+)/, args, env);
}
