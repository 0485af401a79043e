import { NodeFileSystem } from '@prevention/core';

/**
 * The engine's FileSystem port, timed: every call is forwarded to the real one and its duration
 * added up per method, so the profile can say how much of an append is fsync, write, read...
 * The engine awaits these calls one at a time on the commit path, so the sums are wall time.
 */
export function timedFileSystem() {
  const real = new NodeFileSystem();
  const totals = new Map();
  const fs = new Proxy(real, {
    get(target, key) {
      const value = Reflect.get(target, key);
      if (typeof value !== 'function') return value;
      return (...args) => {
        const start = process.hrtime.bigint();
        const record = () => totals.set(key, (totals.get(key) ?? 0) + Number(process.hrtime.bigint() - start) / 1e6);
        const result = value.apply(target, args);
        if (result && typeof result.then === 'function') return result.finally(record);
        record();
        return result;
      };
    },
  });
  return {
    fs,
    /** Milliseconds per method since the last reset. */
    totals: () => Object.fromEntries(totals),
    reset: () => totals.clear(),
  };
}
