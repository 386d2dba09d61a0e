/**
 * `GET /agents/schedule-preview` (issue 33): the next runs of a schedule in a timezone are the
 * ticks the scheduler fires — the same instants as an agent's `nextRunAt` — across a
 * daylight-saving change; a bad schedule or timezone is a 422 naming the field, as on
 * `POST /agents`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

const now = new Date('2027-03-27T12:00:00Z');
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ clock: () => now });
});
afterAll(() => server?.close());

const preview = (query: string) => call(`${server.url}/agents/schedule-preview?${query}`, { key: server.key });
const local = (iso: string, timeZone: string) => new Date(iso).toLocaleString('sv-SE', { timeZone }).slice(0, 16);

describe('GET /agents/schedule-preview', () => {
  it('lists the next runs in the timezone, across the spring-forward change', async () => {
    const answer = await preview(`schedule=${encodeURIComponent('30 2 * * *')}&timezone=Europe/Berlin&count=3`);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.data.schedule).toBe('30 2 * * *');
    expect(answer.body.data.timezone).toBe('Europe/Berlin');
    // 02:30 does not exist on 28 March 2027 in Berlin: that day's run is an hour later.
    expect(answer.body.data.runs.map((t: string) => local(t, 'Europe/Berlin'))).toEqual(['2027-03-28 03:30', '2027-03-29 02:30', '2027-03-30 02:30']);
  });

  it('agrees with the nextRunAt of an agent saved with the same schedule', async () => {
    const schedule = '0 9 * * 1-5';
    const agent = await call(`${server.url}/agents`, {
      key: server.key,
      json: { name: 'Weekdays', platforms: ['threads'], instructions: 'A tip.', schedule, timezone: 'America/New_York' },
    });
    expect(agent.status, agent.text).toBe(201);
    const answer = await preview(`schedule=${encodeURIComponent(schedule)}&timezone=America/New_York`);
    expect(answer.body.data.runs).toHaveLength(5);
    expect(answer.body.data.runs[0]).toBe(agent.body.data.nextRunAt);
  });

  it('answers fewer runs, or none, when the schedule stops firing', async () => {
    const answer = await preview(`schedule=${encodeURIComponent('0 0 30 2 *')}`);
    expect(answer.status).toBe(200);
    expect(answer.body.data).toEqual({ schedule: '0 0 30 2 *', timezone: 'UTC', runs: [] });
  });

  it('refuses a bad schedule or timezone with a 422 naming the field', async () => {
    const cases: [string, RegExp][] = [
      [`schedule=${encodeURIComponent('0 9 * *')}`, /^querystring\.schedule: .*5-field/],
      [`schedule=${encodeURIComponent('0 25 * * *')}`, /^querystring\.schedule: .*not a valid cron/],
      [`schedule=${encodeURIComponent('0 9 * * *')}&timezone=Mars/Olympus`, /^querystring\.timezone: .*IANA/],
      ['timezone=UTC', /schedule/],
      [`schedule=${encodeURIComponent('0 9 * * *')}&count=21`, /count/],
    ];
    for (const [query, message] of cases) {
      const answer = await preview(query);
      expect(answer.status, query).toBe(422);
      expect(answer.body.error).toBe('validation_error');
      expect(answer.body.message, query).toMatch(message);
    }
  });
});
