/**
 * An in-process mutex per key (file path). Waiters are served in arrival order; a key's entry
 * disappears when nobody holds or waits for it, so the map does not grow with every file seen.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  /** Waits for the key and returns the function that releases it. */
  async acquire(key: string): Promise<() => void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const current = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => current);
    this.tails.set(key, tail);
    await previous;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    };
  }
}
