/**
 * The work commands of the real `longrun` binary (child processes) against a real server:
 * submit, watch (exit 0 completed with every item succeeded, 3 completed with failed items, 2
 * failed or canceled), jobs ls|show|cancel, results --json,
 * and the one-line errors (no key, no such job, server unreachable).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type Job, type JobItem, type LongrunClient } from '../../src/client/index.ts';
import { binArgs, runCli, type CliResult } from '../helpers/cli.ts';
import { startTestServer, tempDir, type TestServer } from '../helpers/testServer.ts';

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

let server: TestServer;
let client: LongrunClient;
let dir: string;
let env: Record<string, string>;
beforeAll(async () => {
  // Idea drafts go to a text-generation service that is not there, so they fail: a failed job.
  const llm = `http://127.0.0.1:${await closedPort()}`;
  server = await startTestServer({ env: { LONGRUN_DEMO_KINDS: '1', LONGRUN_LLM_BASE_URL: llm, LONGRUN_LLM_MAX_ATTEMPTS: '1' } });
  client = createClient({ url: server.url, apiKey: server.key });
  dir = tempDir('longrun-cli-work-');
  env = { LONGRUN_URL: server.url, LONGRUN_API_KEY: server.key };
});
afterAll(async () => {
  await server?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const cli = (...args: string[]) => runCli(args, env);

/** `longrun <args>` running in the background: wait for something on its stderr, then for its end. */
function startCli(args: string[]) {
  const child = spawn(process.execPath, [...binArgs(), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: (() => void)[] = [];
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
    waiters.splice(0).forEach((w) => w());
  });
  const exited = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  const printed = (pattern: RegExp) =>
    new Promise<void>((resolve, reject) => {
      void exited.then((r) => reject(new Error(`exited (${r.code}) before printing ${pattern}: ${r.stderr}`)));
      const check = () => (pattern.test(stderr) ? resolve() : waiters.push(check));
      check();
    });
  return { printed, exited };
}

/** The job ID a `submit` printed: alone, on the last line of stdout. */
function jobIdOf(stdout: string): string {
  return stdout.trimEnd().split('\n').at(-1)!;
}

describe('longrun submit and watch', () => {
  it('submits a job, watches it to the end with a line per event, prints a summary, and exits 3 as an item failed', async () => {
    const submitted = await cli('submit', 'sleep', '--items', '3', '--ms', '100', '--fail', 'item-2');
    expect(submitted.code, submitted.stderr).toBe(0);
    const jobId = submitted.stdout.trim();
    expect(jobId).toMatch(/^job_[0-9A-Z]{26}$/);

    const watched = await cli('watch', jobId);
    // Completed, but not a success: one item failed.
    expect(watched.code, watched.stderr).toBe(3);
    // stderr is not a terminal here: plain lines, the same whether the job was running or done.
    expect(watched.stderr.trimEnd().split('\n')).toEqual([
      `watching sleep job ${jobId} (3 items)`,
      '#1 job.queued: 3 items',
      '#2 job.started',
      '#3 item.succeeded item-1 (1/3)',
      '#4 item.failed item-2: DEMO_FAILURE item-2 was asked to fail. (2/3)',
      '#5 item.succeeded item-3 (3/3)',
      '#6 job.completed',
    ]);
    expect(watched.stdout).toMatch(new RegExp(`^${jobId} \\(sleep\\) completed in [0-9.]+ m?s: 2 of 3 items succeeded, 1 failed; 2 credits charged\\n$`));
  });

  it('takes the body from --file, with flags winning, and --watch follows the job', async () => {
    const file = path.join(dir, 'sleep.json');
    fs.writeFileSync(file, JSON.stringify({ items: 1, ms: 50, flaky: ['item-2'] }));
    const result = await cli('submit', 'sleep', '--file', file, '--items', '2', '--watch');
    expect(result.code, result.stderr).toBe(0);
    const [jobId, summary] = result.stdout.trimEnd().split('\n');
    expect(summary).toContain(`${jobId} (sleep) completed`);
    expect(summary).toContain('2 of 2 items succeeded');
    // item-2's first attempt fails with a retryable error: one line says so, and when it runs again.
    expect(result.stderr).toMatch(
      /^#\d+ item\.retrying item-2: attempt 1 DEMO_FLAKE item-2 fails its first attempt\. \(retry at \d{4}-\d{2}-\d{2}T[\d:.]+Z\)$/m,
    );
    const job = await client.jobs.get(jobId!);
    expect(job.input).toMatchObject({ items: 2, ms: 50, flaky: ['item-2'] });
  });

  it('exits 2 with the reason when the job fails', async () => {
    const result = await cli('submit', 'idea', '--title', 'Why onboarding matters', '--platform', 'twitter', '--watch');
    expect(result.code, result.stderr).toBe(2);
    const [jobId, summary] = result.stdout.trimEnd().split('\n');
    expect(jobId).toMatch(/^enrich_job_/);
    expect(summary).toMatch(new RegExp(`^${jobId} \\(idea.enrich\\) failed after .*: 0 of 1 item succeeded, 1 failed; 0 credits charged; LLM_UNAVAILABLE: `));
    expect(result.stderr).toContain('item.failed 1-twitter: LLM_UNAVAILABLE');
  });

  it('exits 2 when the job is canceled while it is watched', async () => {
    // item-1 hangs until its budget (its 30 s and a little) runs out: the cancel comes first.
    const jobId = jobIdOf((await cli('submit', 'sleep', '--items', '2', '--ms', '30000', '--hang', 'item-1')).stdout);
    const watching = startCli(['watch', jobId]);
    // Cancel once the watcher has seen the job start.
    await watching.printed(/#2 job\.started\n/);
    await client.jobs.cancel(jobId);
    const watched = await watching.exited;
    expect(watched.code, watched.stderr).toBe(2);
    expect(watched.stdout).toMatch(new RegExp(`^${jobId} \\(sleep\\) canceled after `));
    expect(watched.stdout).toContain('0 of 2 items succeeded, 2 canceled; 0 credits charged');
    expect(watched.stderr.trimEnd().split('\n').at(-1)).toMatch(/^#\d+ job.canceled$/);
    // Neither item is left running or pending.
    const shown = await cli('jobs', 'show', jobId);
    expect(shown.stdout).toMatch(/progress\s+0\/2 \(2 canceled\)/);
    expect(shown.stdout).toMatch(/item-1\s+canceled\s+1\s*\n/);
    expect(shown.stdout).toMatch(/item-2\s+canceled\s+0\s*\n/);
  });
});

describe('longrun jobs and results', () => {
  it('lists and shows jobs', async () => {
    const { jobId } = await client.demo.sleep({ items: 3, ms: 10, fail: ['item-3'] });
    await client.waitFor(jobId);

    const listed = await cli('jobs', 'ls', '--kind', 'sleep', '--limit', '50');
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout.split('\n')[0]).toMatch(/^ID\s+KIND\s+STATUS\s+PROGRESS\s+CREDITS\s+CREATED$/);
    expect(listed.stdout).toMatch(new RegExp(`${jobId}\\s+sleep\\s+completed\\s+3/3 \\(1 failed\\)\\s+2\\s`));
    const asJson = JSON.parse((await cli('jobs', 'ls', '--json', '--status', 'completed')).stdout) as { jobs: Job[]; total: number };
    expect(asJson.jobs.map((j) => j.id)).toContain(jobId);

    const shown = await cli('jobs', 'show', jobId);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/status\s+completed/);
    expect(shown.stdout).toMatch(/credits\s+2 charged, 0 reserved/);
    expect(shown.stdout).toMatch(/item-3\s+failed\s+1\s+DEMO_FAILURE: item-3 was asked to fail\./);
  });

  it('prints results as JSON, and as a table', async () => {
    const { jobId } = await client.demo.sleep({ items: 3, ms: 10, fail: ['item-3'] });
    await client.waitFor(jobId);
    const results = await cli('results', jobId, '--json');
    expect(results.code, results.stderr).toBe(0);
    const parsed = JSON.parse(results.stdout) as { job: Job; items: JobItem[] };
    expect(parsed.job).toMatchObject({ id: jobId, status: 'completed' });
    expect(parsed.items.map((i) => [i.key, i.status])).toEqual([
      ['item-1', 'succeeded'],
      ['item-2', 'succeeded'],
      ['item-3', 'failed'],
    ]);
    expect(parsed.items[0]!.result).toEqual({ key: 'item-1', sleptMs: 10 });

    const table = await cli('results', jobId);
    expect(table.stdout).toMatch(/item-1\s+succeeded\s+\{"key":"item-1","sleptMs":10\}/);
  });

  it('cancels a job, and says in one line when it has already ended', async () => {
    // Not before next year: it stays queued until canceled.
    const { jobId } = await client.demo.sleep({ items: 2, runAt: new Date(Date.now() + 365 * 86_400_000).toISOString() });
    const canceled = await cli('jobs', 'cancel', jobId);
    expect(canceled.code, canceled.stderr).toBe(0);
    expect(canceled.stdout).toBe(`canceled ${jobId} (sleep): 0 of 2 items had succeeded, 2 canceled; 0 credits charged\n`);
    expect((await client.jobs.get(jobId)).status).toBe('canceled');

    const again = await cli('jobs', 'cancel', jobId);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`longrun: Job ${jobId} already ended with status canceled. (409 conflict)\n`);
  });

  it('reruns the failed items of a finished job and prints the new job ID; --watch follows it', async () => {
    const submitted = await cli('submit', 'sleep', '--items', '3', '--ms', '0', '--fail', 'item-2', '--fail', 'item-3');
    const jobId = submitted.stdout.trim();
    expect((await client.waitFor(jobId)).status).toBe('completed');
    const rerun = await cli('rerun', jobId, '--key', 'item-3', '--watch');
    // The new job's item fails again (the input asks it to): exit 3, as watch does.
    expect(rerun.code, rerun.stderr).toBe(3);
    const rerunId = rerun.stdout.split('\n')[0]!;
    expect(rerunId).toMatch(/^job_[0-9A-Z]{26}$/);
    expect((await client.jobs.items(rerunId)).items.map((i) => i.key)).toEqual(['item-3']);

    const refused = await cli('rerun', rerunId, '--key', 'item-1');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^longrun: body\.keys: no failed or canceled item with key item-1\. \(422 validation_error\)\n$/);
  });

  it('waits for a running job with results --wait', async () => {
    const { jobId } = await client.demo.sleep({ items: 2, ms: 200 });
    const results = await cli('results', jobId, '--json', '--wait');
    expect(results.code, results.stderr).toBe(0);
    expect(results.stderr).toBe('');
    expect((JSON.parse(results.stdout) as { job: Job }).job.status).toBe('completed');
  });
});

describe('longrun work commands: errors', () => {
  it('needs an API key, and says so in one line', async () => {
    const commands = [
      ['jobs', 'ls'],
      ['watch', 'job_x'],
      ['submit', 'sleep'],
      ['results', 'job_x', '--json'],
    ];
    const results = await Promise.all(commands.map((args) => runCli(args, { LONGRUN_URL: server.url, LONGRUN_API_KEY: '' })));
    results.forEach((result, i) => {
      expect(result.code, commands[i]!.join(' ')).toBe(1);
      expect(result.stderr).toBe('longrun: no API key: pass --api-key or set LONGRUN_API_KEY\n');
      expect(result.stdout).toBe('');
    });
    const flagged = await runCli(['jobs', 'ls', '--api-key', server.key, '--url', server.url], { LONGRUN_API_KEY: '', LONGRUN_URL: '' });
    expect(flagged.code, flagged.stderr).toBe(0);
  });

  it('reports a missing job, a bad key and an unreachable server in one line', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const [missing, badKey, down, invalid] = await Promise.all([
      cli('watch', 'job_01J00000000000000000000000'),
      runCli(['jobs', 'ls'], { ...env, LONGRUN_API_KEY: 'lr_nope_nope' }),
      runCli(['jobs', 'show', 'job_x'], { ...env, LONGRUN_URL: url }),
      cli('submit', 'sourcing', '--title', 'Chef'),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('longrun: No job job_01J00000000000000000000000. (404 not_found)\n');
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toMatch(/^longrun: .+ \(401 unauthorized\)\n$/);
    expect(down.code).toBe(1);
    expect(down.stderr).toBe(`longrun: cannot reach ${url}: ECONNREFUSED\n`);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toMatch(/^longrun: body\.jobDescription is required.* \(400 VALIDATION_ERROR\)\n$/);
  });
});
