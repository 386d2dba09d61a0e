/**
 * `GET /agents/schedule-preview`: the next runs of a cron schedule in a timezone, computed by the
 * scheduler's own code (schedule.ts), so a form can show what an agent would do before it is
 * saved. A bad schedule or timezone is the 422 that `POST /agents` would answer, naming the field.
 */
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { ContentOk } from '../../http/schemas.ts';
import type { Clock } from '../family.ts';
import { nextTicks, ScheduleError } from './schedule.ts';
import { SchedulePreview, SchedulePreviewQuery } from './schemas.ts';
import { AGENT_MISSING_KEY_MESSAGE } from './view.ts';

export async function agentPreviewRoutes(instance: FastifyInstance, opts: { clock: Clock }) {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, missingKeyMessage: AGENT_MISSING_KEY_MESSAGE };
  });

  app.get(
    '/agents/schedule-preview',
    {
      config: { scope: 'agents:read' },
      schema: {
        tags: ['agents'],
        summary: 'The next runs of a cron schedule in a timezone, as the scheduler would fire them',
        querystring: SchedulePreviewQuery,
        response: { 200: ContentOk(SchedulePreview) },
      },
    },
    async (request) => {
      const { schedule, timezone, count } = request.query;
      try {
        const runs = nextTicks(schedule, timezone, opts.clock(), count).map((at) => at.toISOString());
        return { success: true as const, data: { schedule: schedule.trim().split(/\s+/).join(' '), timezone, runs } };
      } catch (error) {
        if (error instanceof ScheduleError) throw new AppError('validation_error', `querystring.${error.field}: ${error.message}`);
        throw error;
      }
    },
  );
}
