import { afterEach, describe, expect, it, vi } from 'vitest';
import { progressThrottle } from '../../src/engine/progressThrottle.ts';

afterEach(() => vi.restoreAllMocks());

describe('progress throttling', () => {
  it('writes each new 10 % step at once as a step, and within a step at most every half second', () => {
    let now = 1_000_000;
    vi.spyOn(Date, 'now').mockImplementation(() => now);
    const writes: [number, boolean][] = [];
    const report = progressThrottle((fraction, stepEvent) => writes.push([fraction, stepEvent]));
    report(0.01); // the first report: step 0
    report(0.02); // same step, same moment: dropped
    report(0.15); // a new step: at once
    now += 499;
    report(0.16); // same step, under half a second: dropped
    now += 1;
    report(0.17); // half a second later: written, not a step
    report(0.05); // back down a step: a new step number, but not a step event
    expect(writes).toEqual([
      [0.01, true],
      [0.15, true],
      [0.17, false],
      [0.05, false],
    ]);
  });

  it('clamps to 0…1 and rounds to 0.001', () => {
    const writes: number[] = [];
    const report = progressThrottle((fraction) => writes.push(fraction));
    report(-3);
    report(0.12345);
    report(7);
    expect(writes).toEqual([0, 0.123, 1]);
  });
});
