/**
 * An agent's schedule: a 5-field cron expression (minute hour day-of-month month day-of-week)
 * read in an IANA timezone, with croner doing the calendar arithmetic (daylight-saving changes
 * included: a time that does not exist that day fires an hour later, one that exists twice
 * fires once).
 */
import { Cron } from 'croner';

export class ScheduleError extends Error {
  constructor(
    readonly field: 'schedule' | 'timezone',
    message: string,
  ) {
    super(message);
  }
}

export function checkTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new ScheduleError('timezone', `"${timezone}" is not an IANA timezone (e.g. "Europe/Paris", "America/New_York", "UTC").`);
  }
}

function cronOf(schedule: string, timezone: string): Cron {
  checkTimezone(timezone);
  const fields = schedule.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new ScheduleError('schedule', `"${schedule}" is not a 5-field cron expression (minute hour day-of-month month day-of-week, e.g. "0 9 * * 1-5").`);
  }
  try {
    return new Cron(fields.join(' '), { timezone, paused: true });
  } catch (error) {
    throw new ScheduleError('schedule', `"${schedule}" is not a valid cron expression: ${(error as Error).message.replace(/^CronPattern: /, '')}.`);
  }
}

/** Throws a ScheduleError naming the field at fault. */
export function checkSchedule(schedule: string, timezone: string): void {
  cronOf(schedule, timezone);
}

/** The first tick strictly after `after`, or null when the expression never fires again. */
export function nextTick(schedule: string, timezone: string, after: Date): Date | null {
  return cronOf(schedule, timezone).nextRun(after);
}

/** The next `count` ticks strictly after `after`, fewer when the expression stops firing. */
export function nextTicks(schedule: string, timezone: string, after: Date, count: number): Date[] {
  return cronOf(schedule, timezone).nextRuns(count, after);
}

/** When an agent fires next: null for a manual or disabled agent. */
export function nextRunAt(agent: { schedule: string | null; timezone: string; enabled: boolean | number }, after: Date): string | null {
  if (!agent.schedule || !agent.enabled) return null;
  return nextTick(agent.schedule, agent.timezone, after)?.toISOString() ?? null;
}
