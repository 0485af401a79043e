import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { JoinWait } from './join-wait.js';

let clock = 0;
const wait = () => new JoinWait<string>(5, () => clock);
/** Whether `hold` has resolved, once pending callbacks ran. */
async function released(hold: Promise<void> | undefined): Promise<boolean> {
  if (!hold) return true;
  let done = false;
  void hold.then(() => (done = true));
  await vi.advanceTimersByTimeAsync(0);
  return done;
}

beforeEach(() => {
  clock = 0;
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe('holding a commit for the publishers about to join it', () => {
  it('starts at once when no publisher was answered', () => {
    expect(wait().next()).toBeUndefined();
  });

  it('holds until every publisher just answered has sent its next publish', async () => {
    const join = wait();
    join.answered('a');
    join.answered('b');
    const hold = join.next();
    expect(await released(hold)).toBe(false);
    join.arrived('a');
    expect(await released(hold)).toBe(false);
    join.arrived('b');
    expect(await released(hold)).toBe(true);
  });

  it('holds no longer than the wait after the latest answer, and a publisher that missed it is not held for again until it comes back in time', async () => {
    const join = wait();
    join.answered('slow');
    clock = 2;
    const hold = join.next();
    clock = 5;
    await vi.advanceTimersByTimeAsync(3);
    expect(await released(hold)).toBe(true);
    // Back late: still not held for.
    clock = 40;
    join.arrived('slow');
    join.answered('slow');
    expect(join.next()).toBeUndefined();
    // Back within the wait after an answer: held for again.
    clock = 43;
    join.arrived('slow');
    join.answered('slow');
    expect(await released(join.next())).toBe(false);
  });

  it('does not hold for a publisher answered longer ago than the wait, nor for one that hung up', async () => {
    const join = wait();
    join.answered('old');
    clock = 6;
    expect(join.next()).toBeUndefined();
    join.answered('leaving');
    const hold = join.next();
    join.gone('leaving');
    expect(await released(hold)).toBe(true);
  });

  it('releases every hold when it stops waiting, and never holds with a wait of 0', async () => {
    const join = wait();
    join.answered('a');
    const holds = [join.next(), join.next()];
    join.clear();
    for (const hold of holds) expect(await released(hold)).toBe(true);
    const never = new JoinWait<string>(0, () => clock);
    never.answered('a');
    expect(never.next()).toBeUndefined();
  });
});
