/**
 * Clips: video sources (uploaded, sent in parts, or imported from a URL), their analysis into
 * candidate moments, and renders of those moments, with signed URLs for the files.
 */
import type { MaintenanceTask } from '../../maintenance/task.ts';
import type { Family, FamilyDeps } from '../family.ts';
import { analysisKind } from './analysisKind.ts';
import { renderKind } from './renderKind.ts';
import { renderFilesRetention } from './renderRetention.ts';
import { renderRoutes } from './renderRoutes.ts';
import { clipRoutes } from './routes.ts';
import { ClipView } from './schemas.ts';
import { sourceRoutes } from './sourceRoutes.ts';
import { uploadExpiry } from './uploadExpiry.ts';
import { uploadRoutes } from './uploadRoutes.ts';

/** Longest a URL import may take. */
const IMPORT_TIMEOUT_MS = 30 * 60_000;

export function clipsFamily({ config, store, engine, mediaTools: tools, urlGuard, storage }: FamilyDeps): Family {
  const { db } = store;
  const presigned = config.storage.publicUrls === 'presigned';
  const analysis = analysisKind(db, tools, storage, { ...urlGuard, maxBytes: config.clips.maxUploadBytes, timeoutMs: IMPORT_TIMEOUT_MS });
  const render = renderKind(db, tools, storage);
  const maintenance: MaintenanceTask[] = [uploadExpiry(db, storage)];
  return {
    name: 'clips',
    kinds: [analysis, render],
    schemas: [ClipView],
    maintenance,
    beforeJobRetention: [renderFilesRetention(db, storage)],
    async routes(app) {
      await app.register(clipRoutes, {
        db,
        engine,
        config: config.clips,
        guard: urlGuard,
        tools,
        storage,
        analysis,
        // A deleted clip's renders stop first (their ffmpeg is killed), then its files go.
        async onDelete(clip) {
          const open = await db
            .selectFrom('clip_renders as r')
            .innerJoin('jobs as j', 'j.id', 'r.job_id')
            .select('j.id')
            .where('r.clip_id', '=', clip.id)
            .where('j.status', 'in', ['queued', 'running'])
            .execute();
          for (const { id } of open) await engine.cancel(clip.org_id, id);
        },
      });
      await app.register(uploadRoutes, {
        db,
        engine,
        tools,
        storage,
        analysis,
        maxUploadBytes: config.clips.maxUploadBytes,
        ttlHours: config.clips.uploadTtlHours,
      });
      await app.register(sourceRoutes, { db, storage, urlTtlSeconds: config.clips.urlTtlSeconds, presigned });
      await app.register(renderRoutes, { db, engine, storage, render, urlTtlSeconds: config.clips.urlTtlSeconds, presigned });
    },
  };
}
