import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from './clock.js';

describe('systemClock.setTimeout', () => {
  afterEach(() => vi.restoreAllMocks());

  it('calls back once after the delay, and never once cancelled', async () => {
    const fired: string[] = [];
    systemClock.setTimeout(() => fired.push('kept'), 5);
    const cancel = systemClock.setTimeout(() => fired.push('cancelled'), 5);
    cancel();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fired).toEqual(['kept']);
    cancel();
  });

  it('does not keep the process alive', () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const cancel = systemClock.setTimeout(() => undefined, 60_000);
    const timer = spy.mock.results[0]!.value as NodeJS.Timeout;
    expect(timer.hasRef()).toBe(false);
    cancel();
  });
});
