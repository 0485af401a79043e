import { describe, expect, it } from 'vitest';
import { ManualClock } from './manual-clock.js';

describe('ManualClock', () => {
  it('fires timers only when advanced past them, in due order, each at its due time', async () => {
    const clock = new ManualClock(1_000);
    const fired: Array<[string, number]> = [];
    clock.setTimeout(() => fired.push(['b', clock.now()]), 200);
    clock.setTimeout(() => fired.push(['a', clock.now()]), 100);
    clock.setTimeout(() => fired.push(['c', clock.now()]), 200);
    await clock.advance(99);
    expect(fired).toEqual([]);
    await clock.advance(101);
    expect(fired).toEqual([
      ['a', 1_100],
      ['b', 1_200],
      ['c', 1_200],
    ]);
    expect(clock.now()).toBe(1_200);
    expect(clock.pending).toBe(0);
  });

  it('fires timers set by a firing timer when they fall due within the same advance', async () => {
    const clock = new ManualClock();
    const fired: number[] = [];
    const tick = (): void => {
      fired.push(clock.now());
      clock.setTimeout(tick, 30);
    };
    clock.setTimeout(tick, 30);
    await clock.advance(100);
    expect(fired).toEqual([30, 60, 90]);
    expect(clock.now()).toBe(100);
  });

  it('never fires a cancelled timer', async () => {
    const clock = new ManualClock();
    let fired = false;
    const cancel = clock.setTimeout(() => (fired = true), 10);
    cancel();
    await clock.advance(20);
    expect(fired).toBe(false);
  });

  it('lets promise chains started by a timer settle before the next one runs', async () => {
    const clock = new ManualClock();
    const seen: string[] = [];
    clock.setTimeout(() => void Promise.resolve().then(() => Promise.resolve()).then(() => seen.push('chain')), 10);
    clock.setTimeout(() => seen.push('next'), 20);
    await clock.advance(20);
    expect(seen).toEqual(['chain', 'next']);
  });

  it('resolves a sleep when advanced, and rejects it when aborted', async () => {
    const clock = new ManualClock();
    let slept = false;
    const sleeping = clock.sleep(50).then(() => (slept = true));
    await clock.advance(49);
    expect(slept).toBe(false);
    await clock.advance(1);
    await sleeping;
    expect(slept).toBe(true);

    const controller = new AbortController();
    const aborted = clock.sleep(50, controller.signal);
    controller.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    expect(clock.pending).toBe(0);
  });
});
