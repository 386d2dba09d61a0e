/**
 * Ranking quality on the labelled set in test/fixtures/sourcing-eval/ (graded by the rule in its
 * GRADING.md, independently of the model). `npm run eval` prints the same figures.
 */
import { describe, expect, it } from 'vitest';
import { evaluate, ndcgAt, spearman } from '../../src/families/sourcing/scoring/evaluate.ts';
import { loadEvalSet } from '../fixtures/sourcing-eval/load.ts';

describe('ranking quality', () => {
  it('the metrics themselves: a perfect ranking scores 1, a reversed one less, a tie-everything model nothing useful', () => {
    expect(ndcgAt(3, [3, 2, 1, 0])).toBe(1);
    expect(ndcgAt(3, [0, 1, 2, 3])).toBeLessThan(0.5);
    expect(spearman([1, 2, 3], [10, 20, 30])).toBeCloseTo(1);
    expect(spearman([1, 2, 3], [30, 20, 10])).toBeCloseTo(-1);
    expect(spearman([5, 5, 5], [1, 2, 3])).toBe(0);
  });

  it('keeps NDCG@10 at or above 0.8 for every role of the labelled set, with a positive rank correlation', () => {
    const set = loadEvalSet();
    expect(set.roles.length).toBeGreaterThanOrEqual(3);
    expect(set.profiles.length).toBeGreaterThanOrEqual(60);
    const results = evaluate(set);
    for (const r of results) {
      expect(r.ndcg, `${r.roleId} NDCG@10`).toBeGreaterThanOrEqual(0.8);
      expect(r.spearman, `${r.roleId} Spearman`).toBeGreaterThan(0.5);
    }
  });
});
