import { describe, expect, it } from 'vitest';
import { Slots } from '../../src/engine/slots.ts';

describe('worker slots', () => {
  it('never hands out more than its size, and serves waiters first come, first served', async () => {
    const slots = new Slots(2);
    await slots.take();
    await slots.take();
    expect(slots.free()).toBe(0);
    const order: string[] = [];
    const a = slots.take().then(() => order.push('a'));
    const b = slots.take().then(() => order.push('b'));
    await Promise.resolve();
    expect(order).toEqual([]);
    slots.give();
    await a;
    expect(order).toEqual(['a']);
    expect(slots.free()).toBe(0);
    slots.give();
    await b;
    expect(order).toEqual(['a', 'b']);
    slots.give();
    slots.give();
    expect(slots.free()).toBe(2);
  });

  it('lets every waiter through when closed, and counts them back when they give', async () => {
    const slots = new Slots(1);
    await slots.take();
    const waiters = [slots.take(), slots.take()];
    slots.close();
    await Promise.all(waiters);
    await slots.take(); // closed: no waiting
    for (let i = 0; i < 4; i += 1) slots.give();
    slots.open();
    expect(slots.free()).toBe(1);
  });
});
