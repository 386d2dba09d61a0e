import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendPool, importProfiles, resume } from '../helpers/sourcing.ts';
import { call, startTestServer, type TestServer } from '../helpers/testServer.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const count = async (key: string) => (await call(`${server.url}/profiles?limit=1`, { key })).body.total as number;

describe('POST /profiles', () => {
  it('imports one JSON Resume document and shows it back', async () => {
    const { key } = await server.newOrg('single');
    const [id] = await importProfiles(server.url, key, backendPool[0]);
    expect(id).toMatch(/^prof_[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const got = await call(`${server.url}/profiles/${id}`, { key });
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      success: true,
      id,
      name: 'Jane Smith',
      headline: 'Senior Software Engineer at Stripe',
      location: 'Berlin, DE',
      linkedinUrl: 'https://www.linkedin.com/in/janesmith',
      emails: ['jane.smith@example.com'],
    });
    expect(got.body.resume).toEqual(backendPool[0]);
  });

  it('imports a bulk array, and a re-import of the same person (email or LinkedIn URL) updates instead of duplicating', async () => {
    const { key } = await server.newOrg('bulk');
    const ids = await importProfiles(server.url, key, backendPool);
    expect(new Set(ids).size).toBe(4);
    expect(await count(key)).toBe(4);

    // Same email, new headline.
    const again = await call(`${server.url}/profiles`, { key, json: { ...backendPool[1], basics: { ...backendPool[1]!.basics, label: 'Staff Engineer' } } });
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ profileIds: [ids[1]], created: 0, updated: 1 });

    // Same LinkedIn URL spelt differently, with a new email: same person, emails accumulate.
    const moved = resume('Jane Smith', 'jane@newjob.example.org', { linkedin: 'HTTPS://linkedin.com/in/JaneSmith/?trk=x' });
    expect(await importProfiles(server.url, key, moved)).toEqual([ids[0]]);
    const jane = await call(`${server.url}/profiles/${ids[0]}`, { key });
    expect(jane.body.emails).toEqual(['jane.smith@example.com', 'jane@newjob.example.org']);
    expect(await count(key)).toBe(4);
  });

  it('refuses a bulk import with invalid entries as a whole, naming each entry and field', async () => {
    const { key } = await server.newOrg('invalid');
    await importProfiles(server.url, key, [backendPool[3]]);
    const body = [
      backendPool[0],
      { basics: { name: 'No Identity' } },
      resume('Bad Dates', 'bad@example.com', { work: [{ name: 'X', position: 'Y', startDate: '2020-13' }] }),
      { ...backendPool[1], basics: { ...backendPool[1]!.basics, email: 'not-an-email' } },
    ];
    const answer = await call(`${server.url}/profiles`, { key, json: body });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ success: false, errorCode: 'VALIDATION_ERROR' });
    expect(answer.body.errorMessage).toMatch(/3 of 4 profiles are invalid; nothing was imported/);
    expect(answer.body.details).toEqual([
      { entry: 1, field: 'basics', message: expect.stringMatching(/email or a LinkedIn URL/) },
      { entry: 2, field: 'work[0].startDate', message: expect.any(String) },
      { entry: 3, field: 'basics.email', message: expect.stringMatching(/email/) },
    ]);
    expect(await count(key)).toBe(1); // not even the valid entry 0
  });

  it('refuses more than 1,000 entries, an empty array, and an entry that is two people at once', async () => {
    const { key } = await server.newOrg('limits');
    const many = Array.from({ length: 1001 }, (_, i) => resume(`P ${i}`, `p${i}@example.com`));
    const tooMany = await call(`${server.url}/profiles`, { key, json: many });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errorMessage).toMatch(/At most 1000/);
    expect((await call(`${server.url}/profiles`, { key, json: [] })).status).toBe(400);

    await importProfiles(server.url, key, [resume('A', 'a@example.com'), resume('B', 'b@example.com', { linkedin: 'https://www.linkedin.com/in/bee' })]);
    const both = await call(`${server.url}/profiles`, { key, json: resume('A or B', 'a@example.com', { linkedin: 'https://www.linkedin.com/in/bee' }) });
    expect(both.status).toBe(400);
    expect(both.body.details[0].message).toMatch(/two different profiles/);
    expect(await count(key)).toBe(2);
  });

  it('imports CSV with one row per position, merging rows of the same person', async () => {
    const { key } = await server.newOrg('csv');
    const csv = [
      'name,email,linkedin_url,headline,location,skills,company,position,start_date,end_date,highlights',
      'Cara Diaz,cara@example.com,https://www.linkedin.com/in/caradiaz,Data Engineer,"London, GB",Python;Spark;dbt,Monzo,Senior Data Engineer,2021-03,,"Built Airflow DAGs|Owned dbt models"',
      'Cara Diaz,cara@example.com,,,,,Ocado,Data Analyst,2017,2021-02,',
      'Dev Patel,dev@example.com,,,,,,,,,',
    ].join('\n');
    const answer = await call(`${server.url}/profiles`, { key, raw: csv, headers: { 'content-type': 'text/csv' } });
    expect(answer.status, answer.text).toBe(201);
    expect(answer.body.created).toBe(2);
    const cara = await call(`${server.url}/profiles/${answer.body.profileIds[0]}`, { key });
    expect(cara.body.location).toBe('London, GB');
    expect(cara.body.resume.work).toEqual([
      { name: 'Monzo', position: 'Senior Data Engineer', startDate: '2021-03', highlights: ['Built Airflow DAGs', 'Owned dbt models'] },
      { name: 'Ocado', position: 'Data Analyst', startDate: '2017', endDate: '2021-02' },
    ]);
    expect(cara.body.resume.skills).toEqual([{ name: 'Skills', keywords: ['Python', 'Spark', 'dbt'] }]);

    const bad = await call(`${server.url}/profiles`, {
      key,
      raw: 'name,email,favourite_colour\nX,x@example.com,blue\n',
      headers: { 'content-type': 'text/csv' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.details[0]).toMatchObject({ entry: 1, field: 'favourite_colour' });
    const badRow = await call(`${server.url}/profiles`, {
      key,
      raw: 'name,email,start_date,position\nY,y@example.com,last year,Dev\n',
      headers: { 'content-type': 'text/csv' },
    });
    expect(badRow.status).toBe(400);
    expect(badRow.body.details[0]).toMatchObject({ entry: 2, field: 'work[0].startDate' });
    expect(await count(key)).toBe(2);
  });

  it('answers 415 to another content type', async () => {
    const answer = await call(`${server.url}/profiles`, { key: server.key, raw: '<resume/>', headers: { 'content-type': 'application/xml' } });
    expect(answer.status).toBe(415);
    expect(answer.body.errorCode).toBe('UNSUPPORTED_MEDIA_TYPE');
  });
});

describe('GET and DELETE /profiles', () => {
  it('pages newest first, keeps organisations apart, and deletes', async () => {
    const { key } = await server.newOrg('pages');
    const ids = await importProfiles(server.url, key, backendPool);
    const page = await call(`${server.url}/profiles?limit=3&offset=1`, { key });
    expect(page.body).toMatchObject({ success: true, total: 4, limit: 3, offset: 1 });
    expect(page.body.profiles.map((p: { id: string }) => p.id)).toEqual([...ids].reverse().slice(1, 4));

    const other = await server.newOrg('pages-other');
    const foreign = await call(`${server.url}/profiles/${ids[0]}`, { key: other.key });
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual({ success: false, errorCode: 'PROFILE_NOT_FOUND', errorMessage: `No profile ${ids[0]}.` });
    expect((await call(`${server.url}/profiles/${ids[0]}`, { key: other.key, method: 'DELETE' })).status).toBe(404);
    expect((await call(`${server.url}/profiles?limit=1`, { key: other.key })).body.total).toBe(0);

    const deleted = await call(`${server.url}/profiles/${ids[0]}`, { key, method: 'DELETE' });
    expect(deleted.body).toEqual({ success: true, id: ids[0], deleted: true });
    expect((await call(`${server.url}/profiles/${ids[0]}`, { key })).status).toBe(404);
    expect(await count(key)).toBe(3);
    // Its email is free again: importing it creates a new profile.
    const [again] = await importProfiles(server.url, key, backendPool[0]);
    expect(again).not.toBe(ids[0]);
  });
});
