import { describe, expect, it } from 'vitest';
import { describeMonths, describeYears, gapsBetween, monthOf, monthsCovered, parseResumeDate, spanOf } from '../../src/families/sourcing/scoring/experience.ts';
import { locationFit, parseRoleLocation, placeOf } from '../../src/families/sourcing/scoring/location.ts';
import { parseRole } from '../../src/families/sourcing/scoring/requirements.ts';
import { scoreProfile } from '../../src/families/sourcing/scoring/score.ts';
import { skillsInText, skillsOfListEntry } from '../../src/families/sourcing/scoring/skills.ts';
import { seniorityOf, titleSimilarity } from '../../src/families/sourcing/scoring/titles.ts';
import { resume } from '../helpers/sourcing.ts';

const names = (text: string) => [...new Set(skillsInText(text).map((m) => m.skill))];

describe('skill aliases', () => {
  it('folds what people write into canonical skills', () => {
    expect(names('Node services in TS on k8s with Postgres; some JS and golang')).toEqual([
      'Node.js',
      'TypeScript',
      'Kubernetes',
      'PostgreSQL',
      'JavaScript',
      'Go',
    ]);
    expect(names('NodeJS, node.js, Node')).toEqual(['Node.js']);
    expect(names('Big Query and Airflow 2, sklearn, Torch')).toEqual(['BigQuery', 'GCP', 'Airflow', 'scikit-learn', 'PyTorch']);
  });

  it('respects word edges: Java is not in JavaScript, Go is not in Google, "rest" is not REST', () => {
    expect(names('JavaScript at Google, the rest of the team')).toEqual(['JavaScript']);
    expect(names('React-based dashboards; Snowflake/BigQuery')).toEqual(['React', 'Snowflake', 'BigQuery', 'GCP']);
  });

  it('knows what a skill implies (EKS is Kubernetes on AWS) and reads ambiguous names only in skills lists', () => {
    expect(names('deployed to EKS')).toEqual(['Amazon EKS', 'Kubernetes', 'AWS']);
    expect(names('R and Go')).toEqual([]);
    expect(skillsOfListEntry('Go')).toEqual(['Go']);
    expect(skillsOfListEntry('R')).toEqual(['R']);
    expect(skillsOfListEntry('Postgres 15')).toEqual(['PostgreSQL']);
    expect(skillsOfListEntry('k8s')).toEqual(['Kubernetes']);
  });
});

describe('date arithmetic', () => {
  const asOf = monthOf(new Date('2026-11-01T00:00:00Z'));

  it('reads YYYY, YYYY-MM and YYYY-MM-DD; a bare year starts in January and ends in December', () => {
    expect(parseResumeDate('2020')).toBe(2020 * 12);
    expect(parseResumeDate('2020', true)).toBe(2020 * 12 + 11);
    expect(parseResumeDate('2020-03-15')).toBe(2020 * 12 + 2);
    expect(parseResumeDate('soon')).toBeNull();
  });

  it('counts an ongoing position (no end date) up to the run date, and both end months inclusively', () => {
    const ongoing = spanOf('2024-11', undefined, asOf)!;
    expect(ongoing).toMatchObject({ ongoing: true });
    expect(monthsCovered([ongoing])).toBe(25); // 2024-11 … 2026-11
    expect(monthsCovered([spanOf('2019-01', '2019-12', asOf)!])).toBe(12);
    expect(spanOf(undefined, '2020-01', asOf)).toBeNull(); // no start: length unknown, counted as nothing
    expect(spanOf('2027-01', undefined, asOf)).toBeNull(); // starts after the run
  });

  it('counts overlapping positions once and finds gaps', () => {
    const spans = [spanOf('2015-01', '2018-12', asOf)!, spanOf('2017-01', '2019-06', asOf)!, spanOf('2021-01', undefined, asOf)!];
    expect(monthsCovered(spans)).toBe(54 + 71);
    expect(gapsBetween(spans, asOf, 12)).toEqual([{ from: 2019 * 12 + 6, to: 2020 * 12 + 11, months: 18 }]);
  });

  it('describes durations as the seed does', () => {
    expect(describeYears('2023-02', undefined)).toBe('2023 - Present');
    expect(describeYears('2019-05', '2021-01')).toBe('2019 - 2021');
    expect(describeMonths(24)).toBe('2 years');
    expect(describeMonths(15)).toBe('1 year 3 months');
    expect(describeMonths(1)).toBe('1 month');
  });
});

describe('requirements from a job description', () => {
  it('tells must-haves from nice-to-haves by heading and by wording, with alternatives and years', () => {
    const role = parseRole({
      title: 'Senior Backend Engineer (Node.js)',
      jobDescription: [
        'About us: we build payments software in Python.',
        "What you'll need:",
        '- At least six years of professional experience',
        '- TypeScript and PostgreSQL',
        '- A public cloud (e.g. AWS, GCP)',
        '- Kafka or RabbitMQ',
        'Nice to have:',
        '- Terraform',
        '- Kubernetes is required though',
        'Experience with GraphQL is a plus.',
      ].join('\n'),
      location: 'Berlin, Germany',
    });
    expect(role.mustHave.map((r) => r.label)).toEqual(['Node.js', 'TypeScript', 'PostgreSQL', 'AWS or GCP', 'Kafka or RabbitMQ', 'Kubernetes']);
    expect(role.niceToHave.map((r) => r.label)).toEqual(['Terraform', 'GraphQL']);
    expect(role.minYears).toBe(6);
    expect(role.seniority).toEqual({ level: 3, minLevel: 3, label: 'Senior' });
    expect(parseRole({ title: 'Staff / Senior ML Engineer', jobDescription: '' }).seniority).toEqual({ level: 4, minLevel: 3, label: 'Senior or Staff/Lead' });
  });

  it('counts the skills of a description with no headings as must-haves, and of duties as nice-to-haves when requirements are listed', () => {
    expect(parseRole({ title: 'Engineer', jobDescription: 'You have 5+ years with Go and Redis.' }).mustHave.map((r) => r.label)).toEqual(['Redis']);
    const withDuties = parseRole({ title: 'Engineer', jobDescription: "What you'll do:\n- Run Redis\nRequirements:\n- Java" });
    expect(withDuties.mustHave.map((r) => r.label)).toEqual(['Java']);
    expect(withDuties.niceToHave.map((r) => r.label)).toEqual(['Redis']);
  });
});

describe('titles, seniority and location', () => {
  it('scores title similarity with synonyms and without seniority', () => {
    expect(titleSimilarity('Senior Backend Engineer', 'Back-end Developer')).toBe(1);
    expect(titleSimilarity('Senior Backend Engineer', 'Full Stack Engineer')).toBeGreaterThan(titleSimilarity('Senior Backend Engineer', 'Data Engineer'));
    expect(titleSimilarity('Senior Backend Engineer', 'Accountant')).toBe(0);
    expect(seniorityOf('Sr. Software Engineer')?.label).toBe('Senior');
    expect(seniorityOf('Staff ML Engineer')?.label).toBe('Staff/Lead');
    expect(seniorityOf('Software Engineer')).toBeNull();
  });

  it('matches cities, countries and remote regions', () => {
    const role = parseRoleLocation('Berlin, Germany (hybrid) or Remote (EU)');
    expect(locationFit(role, placeOf({ city: 'Berlin', countryCode: 'DE' })).score).toBe(1);
    expect(locationFit(role, placeOf({ city: 'Lisbon', countryCode: 'PT' })).score).toBe(1);
    expect(locationFit(role, placeOf({ city: 'London', countryCode: 'GB' })).score).toBe(0.4);
    expect(locationFit(role, placeOf({ city: 'Austin', region: 'TX' })).score).toBe(0);
    const seattle = parseRoleLocation('Seattle, WA');
    expect(locationFit(seattle, placeOf({ city: 'Portland', region: 'OR' })).score).toBe(0.7);
    expect(locationFit(seattle, null).score).toBe(0.5);
  });
});

describe('the candidate', () => {
  const role = parseRole({
    title: 'Senior Backend Engineer',
    jobDescription: 'Requirements:\n- 5+ years of experience with Node.js and TypeScript\n- PostgreSQL\n- Kubernetes',
    location: 'Berlin, Germany',
  });
  const asOf = new Date('2026-11-01T00:00:00Z');
  const strong = resume('Jane', 'jane@example.com', {
    label: 'Senior Backend Engineer',
    city: 'Berlin',
    countryCode: 'DE',
    skills: ['TS'],
    work: [
      { name: 'Stripe', position: 'Senior Backend Engineer', startDate: '2020-01', highlights: ['Node.js APIs on Postgres'] },
      { name: 'Acme', position: 'Backend Developer', startDate: '2017-01', endDate: '2019-12' },
    ],
  });
  const hopper = resume('Hop', 'hop@example.com', {
    city: 'Berlin',
    countryCode: 'DE',
    work: [
      { name: 'A', position: 'Backend Engineer', startDate: '2025-06', highlights: ['Node.js'] },
      { name: 'B', position: 'Backend Engineer', startDate: '2024-10', endDate: '2025-03' },
      { name: 'C', position: 'Backend Engineer', startDate: '2024-01', endDate: '2024-08' },
      { name: 'D', position: 'Junior Developer', startDate: '2019-01', endDate: '2021-12' },
    ],
  });
  const score = (r: ReturnType<typeof resume>) => scoreProfile(role, { profileId: 'p', resume: r as never, linkedinUrl: null, emails: [] }, asOf);

  it('is deterministic: the same inputs give the same candidate, field for field', () => {
    expect(score(strong)).toEqual(score(structuredClone(strong)));
  });

  it('explains itself: fit points with evidence, missing must-haves, short tenures and gaps as red flags', () => {
    const { candidate } = score(strong);
    expect(candidate.matchScore).toBeGreaterThanOrEqual(85);
    expect(candidate.aiFitPoints).toContain('Node.js: used at Stripe (2020 - Present)');
    expect(candidate.aiFitPoints).toContain('TypeScript: listed in skills');
    expect(candidate.aiRedFlags).toEqual(['Missing must-have: Kubernetes']);
    expect(candidate.rationale).toMatch(/^Senior Backend Engineer at Stripe with 9 years 11 months of relevant experience; meets 3 of 4 must-haves/);
    expect(candidate.aiDetailedRationale.map((d) => [d.company, d.duration])).toEqual([
      ['Stripe', '6 years 11 months'],
      ['Acme', '3 years'],
    ]);

    const flagged = score(hopper).candidate;
    expect(flagged.aiRedFlags).toContain('Short tenures: 2 of the last 3 finished positions lasted under a year');
    expect(flagged.aiRedFlags).toContain('Gap of 2 years in work history (2022-01 to 2023-12)');
    expect(flagged.matchScore).toBeLessThan(candidate.matchScore);
  });
});
