/**
 * Measures the scoring model against a labelled set: NDCG@k of the ranking by matchScore (gain
 * 2^grade − 1, log2 discount; ties broken by the set's order, so a model that ties everything
 * gains nothing) and Spearman's rank correlation between matchScore and the grades (average
 * ranks for ties).
 */
import type { Resume } from '../talentPool/schemas.ts';
import { identitiesOf } from '../talentPool/identity.ts';
import { parseRole, type Role } from './requirements.ts';
import { scoreProfile } from './score.ts';

export interface LabelledSet {
  roles: (Role & { id: string })[];
  profiles: Resume[];
  /** roleId → profile email → grade 0–3. */
  grades: Record<string, Record<string, number>>;
  asOf: Date;
}

export interface RoleEvaluation {
  roleId: string;
  ndcg: number;
  spearman: number;
  /** Emails of the top k by matchScore, with score and grade. */
  top: { email: string; matchScore: number; grade: number }[];
}

export function ndcgAt(k: number, gradesInRankOrder: number[]): number {
  const dcg = (grades: number[]) => grades.slice(0, k).reduce((sum, g, i) => sum + (2 ** g - 1) / Math.log2(i + 2), 0);
  const ideal = dcg([...gradesInRankOrder].sort((a, b) => b - a));
  return ideal === 0 ? 0 : dcg(gradesInRankOrder) / ideal;
}

function ranks(values: number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const result = new Array<number>(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    for (let m = i; m <= j; m++) result[order[m]![1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return result;
}

export function spearman(x: number[], y: number[]): number {
  const rx = ranks(x);
  const ry = ranks(y);
  const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
  const mx = mean(rx);
  const my = mean(ry);
  let num = 0;
  let dx = 0;
  let dy = 0;
  for (let i = 0; i < rx.length; i++) {
    num += (rx[i]! - mx) * (ry[i]! - my);
    dx += (rx[i]! - mx) ** 2;
    dy += (ry[i]! - my) ** 2;
  }
  return dx === 0 || dy === 0 ? 0 : num / Math.sqrt(dx * dy);
}

export function evaluate(set: LabelledSet, k = 10): RoleEvaluation[] {
  return set.roles.map((role) => {
    const requirements = parseRole(role);
    const scored = set.profiles.map((resume, index) => {
      const email = resume.basics.email!;
      const { candidate } = scoreProfile(
        requirements,
        { profileId: `p${index}`, resume, linkedinUrl: identitiesOf(resume).linkedin, emails: [email] },
        set.asOf,
      );
      const grade = set.grades[role.id]?.[email];
      if (grade === undefined) throw new Error(`no grade for ${email} in role ${role.id}`);
      return { email, matchScore: candidate.matchScore, grade, index };
    });
    const ranked = [...scored].sort((a, b) => b.matchScore - a.matchScore || a.index - b.index);
    return {
      roleId: role.id,
      ndcg: ndcgAt(
        k,
        ranked.map((s) => s.grade),
      ),
      spearman: spearman(
        scored.map((s) => s.matchScore),
        scored.map((s) => s.grade),
      ),
      top: ranked.slice(0, k).map(({ email, matchScore, grade }) => ({ email, matchScore, grade })),
    };
  });
}
