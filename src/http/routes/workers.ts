/**
 * `GET /workers`: the `serve` and `worker` processes alive on this database, each with its role,
 * version, start, last heartbeat, jobs held and worker slots (src/app/processHeartbeat.ts).
 *
 * Server-wide, not per organisation: a process works for every organisation, so the list is an
 * operator's view, behind the operator scope `workers:read`, which must be granted by name (a key
 * with no scopes, which has every product scope, does not have it). It names hosts and process
 * IDs and no organisation's data.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../store/database.ts';
import { processesListAlive } from '../../store/processes/processesListAlive.ts';
import { ContentOk, ProcessesList } from '../schemas.ts';

export async function workersRoutes(instance: FastifyInstance, opts: { db: Db }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/workers',
    {
      config: { scope: 'workers:read' },
      schema: {
        tags: ['operations'],
        summary: 'The server and worker processes alive on this database (operator scope workers:read)',
        response: { 200: ContentOk(ProcessesList) },
      },
    },
    async () => {
      const rows = await processesListAlive(opts.db);
      return {
        success: true as const,
        data: {
          processes: rows.map((row) => ({
            id: row.id,
            host: row.host,
            pid: row.pid,
            role: row.role,
            version: row.version,
            startedAt: row.started_at,
            lastBeatAt: row.beat_at,
            jobsHeld: row.jobs_held,
            workerSlots: row.worker_slots,
          })),
        },
      };
    },
  );
}
