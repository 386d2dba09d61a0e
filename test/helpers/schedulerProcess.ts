/**
 * A process that runs only the agent scheduler, on a clock the test sets: for each line
 * `tick <ISO time>` on stdin it sets its clock there, fires what is due and answers `fired <n>`.
 * Run as `node --import tsx schedulerProcess.ts <database URL>`; two of them against one
 * PostgreSQL database show that a tick fires once across processes.
 */
import readline from 'node:readline';
import { pino } from 'pino';
import { loadConfig } from '../../src/config.ts';
import { compose } from '../../src/app/families.ts';
import { agentScheduler } from '../../src/families/agents/index.ts';
import { openStore } from '../../src/store/database.ts';

const databaseUrl = process.argv[2]!;
let now = new Date();
const config = loadConfig({ databaseUrl, port: 0, logLevel: 'silent' }, { LONGRUN_WORKERS: '0' });
const store = openStore(databaseUrl, 4);
const log = pino({ level: 'silent' });
const { engine, deps } = compose(config, store, log, () => now);
const scheduler = agentScheduler(deps);

process.stdout.write('ready\n');
for await (const line of readline.createInterface({ input: process.stdin })) {
  const [command, at] = line.trim().split(' ');
  if (command === 'tick') {
    now = new Date(at!);
    process.stdout.write(`fired ${await scheduler.tick()}\n`);
  } else if (command === 'exit') {
    break;
  }
}
engine.signals.shutdown();
await store.close();
process.exit(0);
