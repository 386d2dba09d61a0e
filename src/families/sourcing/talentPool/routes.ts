/**
 * The talent pool: `POST /profiles` (one JSON Resume, an array of up to 1,000, or CSV),
 * `GET /profiles`, `GET /profiles/{id}`, `DELETE /profiles/{id}`. Sourcing-family envelope.
 *
 * Imports are all-or-nothing: every entry is checked first, and one bad entry refuses the
 * request with a `details` list naming each bad entry and field; nothing is stored.
 */
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { AppError, type ErrorDetail } from '../../../errors.ts';
import { orgOf } from '../../../http/plugins/auth.ts';
import { PageQuery } from '../../../http/schemas.ts';
import type { Db } from '../../../store/database.ts';
import { CSV_COLUMNS, csvToResumes } from './csv.ts';
import { ImportResult, ProfileAnswer, ProfileDeleted, ProfilesPage, ProfileView, Resume } from './schemas.ts';
import { profileDeleteForOrg } from './sql/profileDelete.ts';
import { profileImportMany } from './sql/profileImportMany.ts';
import { profileGetForOrg, profilesPageForOrg } from './sql/profilesRead.ts';
import { MAX_PROFILES_PER_IMPORT, resumeProblems } from './validate.ts';
import { profileView } from './view.ts';

const ProfileParams = Type.Object({ id: Type.String({ maxLength: 100 }) });

function invalid(count: number, details: ErrorDetail[]): AppError {
  const entries = new Set(details.map((d) => d.entry)).size;
  const first = details[0]!;
  const where = first.entry === undefined ? first.field : `entry ${first.entry}, ${first.field}`;
  return new AppError(
    'validation_error',
    `${entries} of ${count} profiles are invalid; nothing was imported. First: ${where} ${first.message}.`,
    400,
    details.slice(0, 100),
  );
}

export async function talentPoolRoutes(instance: FastifyInstance, opts: { db: Db; bodyLimit: number }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const { db } = opts;
  app.addSchema(ProfileView);
  app.addContentTypeParser(['text/csv', 'application/csv'], { parseAs: 'string', bodyLimit: opts.bodyLimit }, (_req, body, done) => done(null, body));

  app.post(
    '/profiles',
    {
      bodyLimit: opts.bodyLimit,
      config: { scope: 'sourcing:write', idempotent: true },
      // Entries are validated one by one below, so errors can name the entry; the schema is
      // declared for the OpenAPI document.
      validatorCompiler: () => (data) => ({ value: data }),
      schema: {
        tags: ['sourcing'],
        summary: "Import profiles into the organisation's talent pool",
        description:
          `A JSON Resume document, an array of up to ${MAX_PROFILES_PER_IMPORT}, or CSV (text/csv) with the header ` +
          `\`${CSV_COLUMNS.join(',')}\` (one row per position; see the README). The same person (same email or LinkedIn URL) ` +
          'is updated, never duplicated. All or nothing: any invalid entry refuses the whole request with per-entry `details`.',
        body: {
          content: {
            'application/json': { schema: Type.Union([Type.Ref(Resume), Type.Array(Type.Ref(Resume), { maxItems: MAX_PROFILES_PER_IMPORT })]) },
            'text/csv': { schema: Type.String() },
          },
        },
        response: { 201: ImportResult },
      },
    },
    async (request, reply) => {
      const body: unknown = request.body;
      let entries: unknown[];
      let problems: ErrorDetail[] = [];
      if (typeof body === 'string') {
        const parsed = csvToResumes(body, MAX_PROFILES_PER_IMPORT);
        problems = [...parsed.errors, ...parsed.resumes.flatMap((r) => resumeProblems(r.resume, r.line))];
        entries = parsed.resumes.map((r) => r.resume);
      } else if (Array.isArray(body)) {
        if (body.length === 0) throw new AppError('validation_error', 'The array of profiles is empty.', 400);
        if (body.length > MAX_PROFILES_PER_IMPORT) {
          throw new AppError('validation_error', `At most ${MAX_PROFILES_PER_IMPORT} profiles per request; this one has ${body.length}.`, 400);
        }
        entries = body;
        problems = body.flatMap((entry, i) => resumeProblems(entry, i));
      } else {
        entries = [body];
        problems = resumeProblems(body, undefined);
      }
      if (problems.length > 0) throw invalid(entries.length || 1, problems);
      if (entries.length === 0) throw new AppError('validation_error', 'The CSV has a header but no rows.', 400);

      const imported = await profileImportMany(db, orgOf(request), entries as Resume[]);
      return reply.code(201).send({
        success: true as const,
        profileIds: imported.map((p) => p.profileId),
        created: imported.filter((p) => p.status === 'created').length,
        updated: imported.filter((p) => p.status === 'updated').length,
        profiles: imported,
      });
    },
  );

  app.get(
    '/profiles',
    {
      config: { scope: 'sourcing:read' },
      schema: {
        tags: ['sourcing'],
        summary: "The organisation's profiles, newest first",
        querystring: PageQuery,
        response: { 200: ProfilesPage },
      },
    },
    async (request) => {
      const { profiles, total } = await profilesPageForOrg(db, orgOf(request), request.query);
      return { success: true as const, profiles: profiles.map(profileView), total, limit: request.query.limit, offset: request.query.offset };
    },
  );

  app.get(
    '/profiles/:id',
    {
      config: { scope: 'sourcing:read' },
      schema: {
        tags: ['sourcing'],
        summary: 'One stored profile',
        params: ProfileParams,
        response: { 200: ProfileAnswer },
      },
    },
    async (request) => {
      const row = await profileGetForOrg(db, orgOf(request), request.params.id);
      if (!row) throw new AppError('profile_not_found', `No profile ${request.params.id}.`);
      return { success: true as const, ...profileView(row) };
    },
  );

  app.delete(
    '/profiles/:id',
    {
      config: { scope: 'sourcing:write' },
      schema: {
        tags: ['sourcing'],
        summary: 'Delete a profile from the pool',
        description: 'It is no longer found by sourcing runs nor enriched; results of runs that already finished keep it.',
        params: ProfileParams,
        response: { 200: ProfileDeleted },
      },
    },
    async (request) => {
      const deleted = await profileDeleteForOrg(db, orgOf(request), request.params.id);
      if (!deleted) throw new AppError('profile_not_found', `No profile ${request.params.id}.`);
      return { success: true as const, id: request.params.id, deleted: true as const };
    },
  );
}
