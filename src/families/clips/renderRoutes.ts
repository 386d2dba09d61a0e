/**
 * Captions, renders and their outputs: `POST /clips/{clipId}/captions`,
 * `POST /clips/{clipId}/render`, `GET /clips/{clipId}/jobs` (the seed contract,
 * `../shared/seeds/clip-render-jobs.md`; like every status route it takes `?wait=N`, held until
 * one of the clip's unfinished renders changes status, and carries Retry-After while one is
 * queued or running), and `GET /renders/{jobId}.mp4` with Range support,
 * opened by the organisation's key or by the signed, expiring URL that `outputUrl` carries
 * (a presigned S3 GET with the same expiry under `LONGRUN_STORAGE_PUBLIC_URLS=presigned`).
 */
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Engine, jobGetForOrg, type JobKind, type JobRow, jobView, JobView, MAX_WAIT_SECONDS, waitForJobChange } from '../../engine/index.ts';
import { AppError } from '../../errors.ts';
import { nowIso } from '../../ids.ts';
import { orgOf } from '../../http/plugins/auth.ts';
import { POLL_AFTER_SECONDS } from '../../http/routes/jobs.ts';
import { ContentOk, UnixSeconds, WaitQuery } from '../../http/schemas.ts';
import { acceptedHeaders, answerSubmission, PREFER_WAIT_DOC } from '../../http/submissionAnswer.ts';
import type { Db } from '../../store/database.ts';
import { CaptionError, detectFormat, parseCaptions, type CaptionFormat } from './captions.ts';
import { estimatedRenderSeconds, type RenderInput } from './renderKind.ts';
import { CaptionsAnswer, RenderAccepted, RenderBody, RenderJob } from './schemas.ts';
import { signatureValid, signingKey, signPath } from './signedUrls.ts';
import { candidateGet, clipGetForOrg, type ClipRow } from './sql/clips.ts';
import type { Storage } from '../../storage/storage.ts';
import { baseUrl } from '../../http/baseUrl.ts';
import { sendStored } from './fileResponse.ts';

export interface RenderRouteOptions {
  db: Db;
  engine: Engine;
  storage: Storage;
  render: JobKind<RenderInput>;
  /** How long a signed output URL stays valid. */
  urlTtlSeconds: number;
  /** outputUrl is a presigned storage GET rather than longrun's signed route. */
  presigned: boolean;
}

const Params = Type.Object({ clipId: Type.String({ maxLength: 100 }) });

export async function renderRoutes(instance: FastifyInstance, opts: RenderRouteOptions) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db, engine, storage } = opts;
  const key = await signingKey(db);

  async function clipOf(orgId: string, clipId: string): Promise<ClipRow> {
    const clip = await clipGetForOrg(db, orgId, clipId);
    if (!clip) throw new AppError('not_found', `No clip ${clipId}.`);
    return clip;
  }

  function rendersOf(clipId: string) {
    return db
      .selectFrom('clip_renders as r')
      .innerJoin('jobs as j', 'j.id', 'r.job_id')
      .select(['j.id', 'j.status', 'j.created_at', 'j.completed_at', 'r.output_path'])
      .where('r.clip_id', '=', clipId)
      .orderBy('j.created_at', 'desc')
      .orderBy('j.id', 'desc')
      .execute();
  }

  /**
   * Holds until one of `unfinished` (as listed) changes status, `waitSeconds` pass, or the client
   * goes away: one engine-signal waiter per render, the first to answer ends the others.
   */
  async function untilOneChanges(orgId: string, unfinished: { id: string; status: string }[], waitSeconds: number, request: FastifyRequest): Promise<void> {
    const abort = new AbortController();
    const ended = () => abort.abort();
    request.raw.once('close', ended);
    try {
      const waiters = unfinished.map(async (listed) => {
        const job = await jobGetForOrg(db, orgId, listed.id);
        // Compared with the status the list showed, so a change since that read answers at once.
        if (job) await waitForJobChange(db, engine.signals, { ...job, status: listed.status as typeof job.status }, waitSeconds, abort.signal);
      });
      await Promise.race(waiters);
    } finally {
      abort.abort();
      request.raw.off('close', ended);
    }
  }

  app.addContentTypeParser(['text/vtt', 'application/x-subrip', 'text/srt', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.post(
    '/clips/:clipId/captions',
    {
      config: { scope: 'clips:write' },
      schema: {
        tags: ['clips'],
        summary: 'Upload captions (SRT or WebVTT) for a clip; they replace any earlier ones',
        description: 'As raw text (text/vtt, application/x-subrip, text/plain) or JSON `{content, format?}`. Checked cue by cue; errors name the line.',
        params: Params,
        response: { 201: ContentOk(CaptionsAnswer) },
      },
    },
    async (request, reply) => {
      const clip = await clipOf(orgOf(request), request.params.clipId);
      const body = request.body as unknown;
      let text: string;
      let format: CaptionFormat | undefined;
      if (typeof body === 'string') {
        text = body;
        const type = request.headers['content-type'] ?? '';
        format = type.includes('vtt') ? 'vtt' : type.includes('subrip') || type.includes('srt') ? 'srt' : undefined;
      } else if (body && typeof body === 'object' && typeof (body as { content?: unknown }).content === 'string') {
        text = (body as { content: string }).content;
        const f = (body as { format?: unknown }).format;
        if (f !== undefined && f !== 'srt' && f !== 'vtt') throw new AppError('validation_error', 'body.format must be "srt" or "vtt".');
        format = f as CaptionFormat | undefined;
      } else {
        throw new AppError('validation_error', 'Send the captions as text/vtt or application/x-subrip, or as JSON {content, format?}.');
      }
      format ??= detectFormat(text);
      let cues;
      try {
        cues = parseCaptions(text, format);
      } catch (error) {
        if (error instanceof CaptionError) throw new AppError('validation_error', `The ${format.toUpperCase()} captions are invalid: ${error.message}`);
        throw error;
      }
      const row = { clip_id: clip.id, format, cues: JSON.stringify(cues), created_at: nowIso() };
      await db
        .insertInto('clip_captions')
        .values(row)
        .onConflict((oc) => oc.column('clip_id').doUpdateSet({ format, cues: row.cues, created_at: row.created_at }))
        .execute();
      return reply.code(201).send({ success: true as const, data: { clipId: clip.id, format, cues: cues.length } });
    },
  );

  app.post(
    '/clips/:clipId/render',
    {
      config: { scope: 'clips:write', idempotent: true },
      schema: {
        tags: ['clips'],
        summary: 'Render a candidate segment to MP4 (H.264 + AAC)',
        description:
          'Templates: `default` (source aspect), `vertical` (1080×1920, blurred fill), `square` (1080×1080, blurred fill). `captions: true` burns in the uploaded captions. 1 credit per started minute of output, reserved now (402 if the balance is short) and charged only if the render succeeds. ' +
          `Its status route is \`GET /jobs/{id}\`. ${PREFER_WAIT_DOC}`,
        params: Params,
        body: RenderBody,
        response: { 200: ContentOk(Type.Ref(JobView)), 202: ContentOk(RenderAccepted) },
      },
    },
    async (request, reply) => {
      const orgId = orgOf(request);
      const clip = await clipOf(orgId, request.params.clipId);
      if (clip.status === 'processing' || clip.status === 'uploading') throw new AppError('conflict', `Clip ${clip.id} is still being analysed.`);
      if (clip.status === 'failed') throw new AppError('conflict', `Clip ${clip.id} failed: ${clip.error ?? 'unknown reason'}.`);
      const candidate = await candidateGet(db, clip.id, request.body.candidateId);
      if (!candidate) throw new AppError('validation_error', `body.candidateId: clip ${clip.id} has no candidate ${request.body.candidateId}.`);
      const captions = request.body.captions ?? false;
      if (captions && !(await db.selectFrom('clip_captions').select('clip_id').where('clip_id', '=', clip.id).executeTakeFirst())) {
        throw new AppError('validation_error', 'body.captions: the clip has no captions yet; upload them with POST /clips/{clipId}/captions.');
      }
      const template = request.body.template ?? 'default';
      const input: RenderInput = { clipId: clip.id, candidateId: candidate.id, template, captions, segmentMs: candidate.end_ms - candidate.start_ms };
      const estimatedDurationSec = estimatedRenderSeconds(input.segmentMs, template);
      const respond = (jobId: string) => ({ success: true as const, data: { jobId, status: 'queued' as const, estimatedDurationSec } });
      const statusPath = (jobId: string) => `/jobs/${jobId}`;
      const job = await db.transaction().execute(async (trx) => {
        const submitted = await engine.submitIn(trx, {
          orgId,
          kind: opts.render,
          input,
          idempotency: request.idempotency
            ? { key: request.idempotency.key, respond: (j) => ({ status: 202, body: respond(j.id), headers: acceptedHeaders(request, statusPath(j.id)) }) }
            : null,
        });
        await trx
          .insertInto('clip_renders')
          .values({
            job_id: submitted.id,
            clip_id: clip.id,
            org_id: orgId,
            candidate_id: candidate.id,
            template,
            captions: captions ? 1 : 0,
            output_path: null,
            created_at: submitted.created_at,
          })
          .execute();
        return submitted;
      });
      const finished = async (row: JobRow) => ({ success: true as const, data: jobView(row) });
      return answerSubmission({ db, engine }, request, reply, { job, statusPath: statusPath(job.id), accepted: respond(job.id), finished });
    },
  );

  app.get(
    '/clips/:clipId/jobs',
    {
      config: { scope: 'clips:read' },
      schema: {
        tags: ['clips'],
        summary: 'Render jobs of a clip, newest first',
        description:
          '`outputUrl` (present once a render completed) is absolute, signed, and valid for LONGRUN_RENDER_URL_TTL_SECONDS. ' +
          `Retry-After while a render is queued or running. \`?wait=N\` (N ≤ ${MAX_WAIT_SECONDS}) answers as soon as one of those renders changes status (at once when none is unfinished).`,
        params: Params,
        querystring: WaitQuery,
        response: { 200: ContentOk(Type.Array(RenderJob)) },
      },
    },
    async (request, reply) => {
      const orgId = orgOf(request);
      const clip = await clipOf(orgId, request.params.clipId);
      let rows = await rendersOf(clip.id);
      const unfinished = () => rows.filter((r) => r.status === 'queued' || r.status === 'running');
      if (request.query.wait && unfinished().length > 0) {
        await untilOneChanges(orgId, unfinished(), request.query.wait, request);
        rows = await rendersOf(clip.id);
      }
      if (unfinished().length > 0) reply.header('retry-after', String(POLL_AFTER_SECONDS));
      const expires = Math.floor(Date.now() / 1000) + opts.urlTtlSeconds;
      const outputUrl = async (r: { id: string; output_path: string }) =>
        opts.presigned
          ? (await storage.presignedUrl(r.output_path, opts.urlTtlSeconds, 'video/mp4'))!
          : `${baseUrl(request)}${signPath(key, `/renders/${r.id}.mp4`, expires)}`;
      const urls = new Map<string, string>();
      for (const r of rows) if (r.status === 'completed' && r.output_path) urls.set(r.id, await outputUrl({ id: r.id, output_path: r.output_path }));
      return {
        success: true as const,
        data: rows.map((r) => ({
          id: r.id,
          clipId: clip.id,
          status: r.status,
          ...(urls.has(r.id) ? { outputUrl: urls.get(r.id)! } : {}),
          createdAt: r.created_at,
          ...(r.completed_at ? { completedAt: r.completed_at } : {}),
        })),
      };
    },
  );

  app.get(
    '/renders/:file',
    {
      config: { scope: 'clips:read', signedUrl: true },
      schema: {
        tags: ['clips'],
        summary: 'A rendered MP4 (Range requests answered with 206)',
        description: 'Open with an organisation key allowed `clips:read`, or with the `expires` and `signature` of an `outputUrl`.',
        params: Type.Object({ file: Type.String({ maxLength: 34, pattern: '^job_[0-9A-Z]{26}\\.mp4$' }) }),
        querystring: Type.Object({ expires: Type.Optional(UnixSeconds), signature: Type.Optional(Type.String({ maxLength: 128 })) }),
        produces: ['video/mp4'],
      },
    },
    async (request, reply) => {
      const jobId = request.params.file.replace(/\.mp4$/, '');
      const render = await db.selectFrom('clip_renders').select(['org_id', 'output_path']).where('job_id', '=', jobId).executeTakeFirst();
      const { signature, expires } = request.query;
      if (signature !== undefined) {
        if (!signatureValid(key, `/renders/${request.params.file}`, expires ?? 0, signature))
          throw new AppError('forbidden', 'The signed URL is invalid or has expired.');
      } else if (!render || render.org_id !== orgOf(request)) {
        throw new AppError('not_found', `No render ${jobId}.`);
      }
      if (!render?.output_path) throw new AppError('not_found', `No render ${jobId}.`);
      return sendStored(request, reply, storage, render.output_path, 'video/mp4', `No render ${jobId}.`);
    },
  );
}
