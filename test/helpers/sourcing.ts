/**
 * Helpers for the sourcing family's HTTP tests: realistic JSON Resume documents, an import, and
 * a sourcing run followed to its end by long-polling (never by sleeping).
 */
import { expect } from 'vitest';
import { call, type Answer } from './testServer.ts';

export interface ResumeOptions {
  label?: string;
  city?: string;
  countryCode?: string;
  linkedin?: string;
  skills?: string[];
  work?: { name: string; position: string; startDate?: string; endDate?: string; highlights?: string[] }[];
}

export function resume(name: string, email: string, o: ResumeOptions = {}) {
  return {
    basics: {
      name,
      email,
      ...(o.label ? { label: o.label } : {}),
      ...(o.city ? { location: { city: o.city, ...(o.countryCode ? { countryCode: o.countryCode } : {}) } } : {}),
      ...(o.linkedin ? { profiles: [{ network: 'LinkedIn', url: o.linkedin }] } : {}),
    },
    work: o.work ?? [],
    skills: o.skills ? [{ name: 'Skills', keywords: o.skills }] : [],
  };
}

/** A small pool for a backend role: two strong fits, one near miss, one unrelated. */
export const backendPool = [
  resume('Jane Smith', 'jane.smith@example.com', {
    label: 'Senior Software Engineer at Stripe',
    city: 'Berlin',
    countryCode: 'DE',
    linkedin: 'https://www.linkedin.com/in/janesmith',
    skills: ['Node', 'TS', 'Postgres', 'k8s'],
    work: [
      {
        name: 'Stripe',
        position: 'Senior Software Engineer',
        startDate: '2020-02',
        highlights: ['Built payment APIs in Node.js and TypeScript on PostgreSQL.'],
      },
      { name: 'Tech Corp', position: 'Backend Developer', startDate: '2016-01', endDate: '2020-01', highlights: ['Led a team of 5 developers using Node.js.'] },
    ],
  }),
  resume('Alex Müller', 'alex.mueller@example.com', {
    label: 'Backend Engineer',
    city: 'Munich',
    countryCode: 'DE',
    linkedin: 'https://www.linkedin.com/in/alexmueller',
    skills: ['NodeJS', 'TypeScript', 'PostgreSQL'],
    work: [{ name: 'Zalando', position: 'Senior Backend Engineer', startDate: '2019-05', highlights: ['Node services with Postgres, deployed to EKS.'] }],
  }),
  resume('Priya Rao', 'priya.rao@example.com', {
    label: 'Frontend Engineer',
    city: 'Austin',
    countryCode: 'US',
    skills: ['React', 'JavaScript', 'Node'],
    work: [{ name: 'Shopify', position: 'Frontend Engineer', startDate: '2021-01', highlights: ['React storefronts; small Node BFF.'] }],
  }),
  resume('Tom Baker', 'tom.baker@example.com', {
    label: 'Accountant',
    city: 'Leeds',
    countryCode: 'GB',
    skills: ['Excel', 'IFRS'],
    work: [{ name: 'Baker & Co', position: 'Senior Accountant', startDate: '2012-01', highlights: ['Monthly close and audits.'] }],
  }),
];

export const backendRole = {
  title: 'Senior Backend Engineer',
  jobDescription: [
    'Requirements:',
    '- 5+ years of experience building backend services with Node.js and TypeScript',
    '- Solid PostgreSQL',
    'Nice to have:',
    '- Kubernetes',
  ].join('\n'),
  location: 'Berlin, Germany or Remote (EU)',
};

export async function importProfiles(url: string, key: string, body: unknown): Promise<string[]> {
  const answer = await call(`${url}/profiles`, { key, json: body });
  expect(answer.status, answer.text).toBe(201);
  return answer.body.profileIds as string[];
}

/** Long-polls a results route until it answers 200. */
export async function untilDone(url: string, key: string): Promise<Answer> {
  for (let i = 0; i < 40; i++) {
    const answer = await call(`${url}?wait=10`, { key });
    if (answer.status === 200) return answer;
    expect(answer.status, answer.text).toBe(202);
  }
  throw new Error(`${url} did not finish`);
}

export async function sourcingRun(url: string, key: string, body: Record<string, unknown>): Promise<Answer> {
  const started = await call(`${url}/sourcing`, { key, json: body });
  expect(started.status, started.text).toBe(202);
  return untilDone(`${url}/sourcing/${started.body.requestId}/results`, key);
}
