/**
 * Two scheduler processes on one database (PostgreSQL in the suite's PostgreSQL pass), told the
 * same times at the same moment: each tick becomes one run, never two.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

const SCRIPT = path.resolve(import.meta.dirname, '../helpers/schedulerProcess.ts');

interface SchedulerProcess {
  child: ChildProcess;
  tick(at: string): Promise<number>;
}

function startSchedulerProcess(databaseUrl: string): Promise<SchedulerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, databaseUrl], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout! });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const nextLine = () => new Promise<string>((resolve) => waiting.push(resolve));
  return nextLine().then((first) => {
    expect(first).toBe('ready');
    return {
      child,
      async tick(at: string) {
        const answer = nextLine();
        child.stdin!.write(`tick ${at}\n`);
        return Number((await answer).replace('fired ', ''));
      },
    };
  });
}

const now = new Date('2027-02-01T09:00:30Z');
let server: TestServer;
let processes: SchedulerProcess[] = [];
beforeAll(async () => {
  server = await startTestServer({ clock: () => now, credits: 1000 });
  processes = await Promise.all([startSchedulerProcess(server.config.databaseUrl), startSchedulerProcess(server.config.databaseUrl)]);
});
afterAll(async () => {
  for (const p of processes) p.child.kill('SIGKILL');
  await server?.close();
});

describe('agent scheduler across processes', () => {
  it('fires each tick once when two processes see it at the same moment', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = await call(`${server.url}/agents`, {
        key: server.key,
        json: { name: `Agent ${i}`, platforms: ['threads'], instructions: 'A tip.', schedule: '* * * * *', timezone: 'Europe/Lisbon' },
      });
      ids.push(answer.body.data.id);
    }
    let fired = 0;
    for (let minute = 1; minute <= 6; minute++) {
      const at = `2027-02-01T09:0${minute}:00.000Z`;
      const [a, b] = await Promise.all(processes.map((p) => p.tick(at)));
      fired += a! + b!;
    }
    expect(fired).toBe(5 * 6);
    for (const id of ids) {
      const { runs, total } = (await call(`${server.url}/agents/${id}/runs?limit=100`, { key: server.key })).body.data;
      expect(total).toBe(6);
      expect(new Set(runs.map((r: { startedAt: string }) => r.startedAt)).size).toBe(6);
    }
  });
});
