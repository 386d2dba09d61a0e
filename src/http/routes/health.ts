/**
 * `/healthz`: the process is up. `/readyz`: it can do work: the database answers, every
 * migration is applied, and the storage (LONGRUN_STORAGE_URL) can be listed. Both are public, for load balancers and orchestrators.
 *
 * Guarantees: `/readyz` answers 503 (never 500) whenever the database cannot be read, whatever
 * step fails, and its public message names no host, port or address (the driver's message,
 * e.g. `connect ECONNREFUSED 10.0.0.5:5432`, goes to the log only).
 */
import fs from 'node:fs';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { AppError } from '../../errors.ts';
import type { Store } from '../../store/database.ts';
import { pendingMigrations } from '../../store/migrate.ts';
import { ContentOk, Nullable } from '../schemas.ts';
import type { Binary, MediaTools } from '../../media/binaries.ts';
import type { Storage } from '../../storage/storage.ts';

const Tool = Type.Object({
  path: Type.String(),
  source: Type.String({ description: "setting (LONGRUN_FFMPEG/LONGRUN_FFPROBE), path (the system's), or npm (the static build npm install brings)" }),
  version: Nullable(Type.String({ description: 'What `-version` printed, e.g. 5.1.9-0+deb12u1; null when it would not run' })),
  major: Nullable(Type.Integer({ description: 'The release; null for a development snapshot' })),
  executable: Type.Boolean(),
});

function toolState(binary: Binary) {
  let executable = true;
  try {
    fs.accessSync(binary.path, fs.constants.X_OK);
  } catch {
    executable = false;
  }
  return { path: binary.path, source: binary.source, version: binary.version, major: binary.major, executable };
}

export async function healthRoutes(instance: FastifyInstance, opts: { store: Store; tools?: MediaTools; storage?: Storage }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/healthz',
    {
      config: { quietLog: true }, // probed every few seconds
      schema: {
        tags: ['operations'],
        summary: 'Liveness: the process is up',
        security: [],
        response: { 200: ContentOk(Type.Object({ status: Type.Literal('ok') })) },
      },
    },
    async () => ({ success: true as const, data: { status: 'ok' as const } }),
  );

  app.get(
    '/readyz',
    {
      config: { quietLog: true },
      schema: {
        tags: ['operations'],
        summary: 'Readiness: database reachable and migrated',
        security: [],
        response: {
          200: ContentOk(
            Type.Object({
              status: Type.Literal('ready'),
              database: Type.String(),
              storage: Type.Optional(
                Type.Object(
                  {
                    driver: Type.Union([Type.Literal('file'), Type.Literal('s3')]),
                    target: Type.String({ description: 'file:<dir> or s3://<bucket>/<prefix>' }),
                  },
                  { description: 'Where clip files and knowledge-base documents are kept' },
                ),
              ),
              media: Type.Optional(Type.Object({ ffmpeg: Tool, ffprobe: Tool }, { description: 'Which ffmpeg and ffprobe clips use, and their versions' })),
            }),
          ),
          503: Type.Ref('ContentError'),
        },
      },
    },
    async (request) => {
      let pending: string[];
      try {
        await sql`select 1`.execute(opts.store.db);
        pending = await pendingMigrations(opts.store.db);
      } catch (error) {
        request.log.warn({ err: error }, 'readiness: the database cannot be read');
        throw new AppError('service_unavailable', 'The database cannot be read.');
      }
      if (pending.length > 0) throw new AppError('service_unavailable', `Migrations not applied: ${pending.join(', ')}.`);
      const media = opts.tools && { ffmpeg: toolState(opts.tools.ffmpeg), ffprobe: toolState(opts.tools.ffprobe) };
      if (media && !(media.ffmpeg.executable && media.ffprobe.executable)) {
        throw new AppError('service_unavailable', `ffmpeg or ffprobe cannot be run: ${opts.tools!.ffmpeg.path}, ${opts.tools!.ffprobe.path}.`);
      }
      let storage;
      if (opts.storage) {
        const checked = await opts.storage.check();
        if (!checked.ok) {
          request.log.warn({ storage: checked.target, reason: checked.error }, 'readiness: the storage cannot be reached');
          throw new AppError('service_unavailable', `The storage ${checked.target} cannot be reached.`);
        }
        storage = { driver: opts.storage.driver, target: checked.target };
      }
      return {
        success: true as const,
        data: { status: 'ready' as const, database: opts.store.dialect, ...(storage ? { storage } : {}), ...(media ? { media } : {}) },
      };
    },
  );
}
