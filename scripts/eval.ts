/**
 * `npm run eval`: the scoring model against the labelled set in test/fixtures/sourcing-eval/
 * (its grading rule is GRADING.md beside it). Prints NDCG@10 and Spearman's rho per role and
 * their means; `--verbose` also prints each role's top 10 with score and grade.
 */
import { loadEvalSet } from '../test/fixtures/sourcing-eval/load.ts';
import { evaluate } from '../src/families/sourcing/scoring/evaluate.ts';

const verbose = process.argv.includes('--verbose');
const results = evaluate(loadEvalSet());
const pad = (s: string, n: number) => s.padEnd(n);
console.log(`${pad('role', 16)}${pad('NDCG@10', 10)}Spearman`);
for (const r of results) {
  console.log(`${pad(r.roleId, 16)}${pad(r.ndcg.toFixed(3), 10)}${r.spearman.toFixed(3)}`);
  if (verbose) for (const t of r.top) console.log(`    ${String(t.matchScore).padStart(3)}  grade ${t.grade}  ${t.email}`);
}
const mean = (f: (r: (typeof results)[number]) => number) => results.reduce((s, r) => s + f(r), 0) / results.length;
console.log(`${pad('mean', 16)}${pad(mean((r) => r.ndcg).toFixed(3), 10)}${mean((r) => r.spearman).toFixed(3)}`);
