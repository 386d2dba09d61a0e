import { describe, expect, it } from 'vitest';
import { setTimeout as sleepMs } from 'node:timers/promises';
import { newId } from '../../src/ids.ts';

describe('ids', () => {
  it('are unique, sort in the order they were made, and draw every character of the alphabet', async () => {
    const ids: string[] = [];
    for (let round = 0; round < 100; round += 1) {
      for (let i = 0; i < 50; i += 1) ids.push(newId('job'));
      await sleepMs(2); // a new millisecond: fresh random characters
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(id).toMatch(/^job_[0-9A-HJKMNP-TV-Z]{26}$/);
    // Each millisecond's first ID has fresh random characters (later ones count up from it):
    // 100 x 10 draws miss one of 32 characters with odds of about 1e-12.
    const firsts = ids.filter((_, i) => i % 50 === 0).map((id) => id.slice(4 + 10));
    const seen = new Set(ids.flatMap((id) => [...id.slice(4 + 10, 4 + 20)]));
    expect(seen.size).toBe(32);
    expect(new Set(firsts).size).toBe(firsts.length);
  });
});
