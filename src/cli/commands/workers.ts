/**
 * `longrun workers`: the server's processes alive (`GET /workers`, a key with the operator scope
 * `workers:read`), one line each, then the totals. `--json` prints the server's answer as it is.
 */
import type { Command } from 'commander';
import { print, printTable } from '../context.ts';
import { clientFrom, durationText, plural, withServerOptions } from '../remote.ts';

export function registerWorkers(program: Command): void {
  withServerOptions(
    program
      .command('workers')
      .description('list the serve and worker processes alive on the server (needs a key with the workers:read scope)')
      .option('--json', 'print the answer as JSON'),
  ).action(async (opts: { json?: boolean }, command: Command) => {
    const { processes } = await clientFrom(command).workers.list();
    if (opts.json) return print(JSON.stringify({ processes }, null, 2));
    if (processes.length === 0) return print('no processes alive');
    const now = Date.now();
    printTable(
      ['ROLE', 'HOST', 'PID', 'SLOTS', 'HELD', 'VERSION', 'STARTED', 'LAST BEAT', 'ID'],
      processes.map((p) => [
        p.role,
        p.host,
        String(p.pid),
        String(p.workerSlots),
        String(p.jobsHeld),
        p.version,
        p.startedAt,
        `${durationText(now - Date.parse(p.lastBeatAt))} ago`,
        p.id,
      ]),
    );
    const roles = (['api', 'worker'] as const).map((role) => plural(processes.filter((p) => p.role === role).length, role));
    const slots = processes.reduce((sum, p) => sum + p.workerSlots, 0);
    const held = processes.reduce((sum, p) => sum + p.jobsHeld, 0);
    print(
      `${processes.length} process${processes.length === 1 ? '' : 'es'} (${roles.join(', ')}): ${plural(slots, 'worker slot')}, ${plural(held, 'job')} held`,
    );
  });
}
