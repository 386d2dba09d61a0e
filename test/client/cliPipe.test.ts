/**
 * `longrun … | head`: when the reader of the CLI's stdout has gone, the command ends quietly
 * (exit code 0, nothing on stderr), not with an EPIPE stack trace.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/client/index.ts';
import { binArgs } from '../helpers/cli.ts';
import { startTestServer, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
let jobId: string;
beforeAll(async () => {
  server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: '1' } });
  const client = createClient({ url: server.url, apiKey: server.key });
  jobId = (await client.demo.sleep({ items: 3, ms: 0 })).jobId;
  expect((await client.waitFor(jobId)).status).toBe('completed');
});
afterAll(() => server?.close());

/**
 * Runs the CLI with its stdout a pipe whose reader closes before the CLI writes a byte (our end is
 * closed right after the spawn, long before Node has started in the child), so its first write
 * meets EPIPE, as a write after `head` has exited does.
 */
function runIntoClosedPipe(args: string[]): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...binArgs(), ...args], {
      env: { ...process.env, LONGRUN_URL: server.url, LONGRUN_API_KEY: server.key },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stderr }));
  });
}

describe('the CLI into a closed pipe', () => {
  it.each([
    ['jobs show', () => ['jobs', 'show', jobId]],
    ['results --json', () => ['results', jobId, '--json']],
  ])('%s exits 0 without a word on stderr', async (_name, args) => {
    const run = await runIntoClosedPipe(args());
    expect(run.stderr).toBe('');
    expect({ code: run.code, signal: run.signal }).toEqual({ code: 0, signal: null });
  });
});
