// Stands in for an agent framework you already use: it knows nothing about prevention. Its
// agents keep their memory through a pluggable store with two methods, and its default store is
// the naive one every framework starts with.
import { readFile, writeFile } from 'node:fs/promises';

/**
 * @typedef {{ notes: Array<{ agent: string; text: string; at: string }> }} Memory
 * @typedef {{ load(): Promise<Memory>; change(fn: (memory: Memory) => void): Promise<void> }} MemoryStore
 */

/** The framework's default store: read, modify, write. Loses notes under concurrency. */
export class JsonFileMemoryStore {
  /** @param {string} file */
  constructor(file) {
    this.file = file;
  }

  /** @returns {Promise<Memory>} */
  async load() {
    try {
      return JSON.parse(await readFile(this.file, 'utf8'));
    } catch {
      return { notes: [] };
    }
  }

  /** @param {(memory: Memory) => void} fn */
  async change(fn) {
    const memory = await this.load();
    fn(memory);
    await writeFile(this.file, JSON.stringify(memory, null, 2));
  }
}

/** An agent of the framework: it remembers what it did in the shared memory. */
export class Agent {
  /**
   * @param {string} name
   * @param {MemoryStore} memory
   */
  constructor(name, memory) {
    this.name = name;
    this.memory = memory;
  }

  /** @param {string} text */
  remember(text) {
    return this.memory.change((memory) => {
      memory.notes.push({ agent: this.name, text, at: new Date().toISOString() });
    });
  }
}
