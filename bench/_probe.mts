import { defineKind } from '../src/engine/kind.ts';
import { benchEngine } from './lib/longrun.ts';
const backend = (process.argv[2] ?? 'sqlite') as 'sqlite' | 'postgres';
const bench = await benchEngine({ backend, concurrency: 8, prefetch: 56, label: 'probe' });
const { engine, org } = bench;
let startedAt = 0;
const kind = defineKind<{ t: number }>({ name: 'noop', maxAttempts: 1, async process() { startedAt = performance.now(); return null; } });
engine.register(kind);
engine.start();
const sub: number[] = [], start: number[] = [];
for (let i = 0; i < 300; i++) {
  startedAt = 0;
  const t0 = performance.now();
  await engine.submit({ orgId: org.id, kind, input: { t: 0 } });
  const t1 = performance.now();
  while (!startedAt) await new Promise((r) => setImmediate(r));
  if (i >= 50) { sub.push(t1 - t0); start.push(startedAt - t1); }
  await new Promise((r) => setTimeout(r, 10));
}
const med = (a: number[]) => a.sort((x, y) => x - y)[Math.floor(a.length / 2)]!.toFixed(2);
console.log(backend, 'submit p50', med(sub), 'ms; submit-returned -> start p50', med(start), 'ms');
await bench.close();
