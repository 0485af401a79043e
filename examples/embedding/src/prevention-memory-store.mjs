// The framework's MemoryStore port, implemented with prevention's engine. No config file: the
// engine is built from code, with `config: false`, so nothing in the working directory (a
// stray prevention.config.* or package.json key) changes how the framework's memory is kept.
import path from 'node:path';
import { createEngine } from '@prevention/core';
import backup from '@prevention/plugin-backup';

const memorySchema = {
  type: 'object',
  required: ['notes'],
  properties: {
    notes: {
      type: 'array',
      items: { type: 'object', required: ['agent', 'text', 'at'], properties: { agent: { type: 'string' }, text: { type: 'string' }, at: { type: 'string' } } },
    },
  },
};

/** A MemoryStore whose changes are locked, validated, backed up, atomic and verified. */
export class PreventionMemoryStore {
  /**
   * @param {import('@prevention/core').Engine} engine
   * @param {string} file
   */
  constructor(engine, file) {
    this.engine = engine;
    this.file = file;
  }

  /**
   * Opens the store on `file`, keeping the last 20 versions beside it.
   * @param {string} file
   */
  static async open(file) {
    const engine = await createEngine({
      cwd: path.dirname(path.resolve(file)),
      config: false,
      files: [{ path: path.basename(file), schema: memorySchema, initial: { notes: [] } }],
      plugins: [backup({ strategies: [{ type: 'rotating', keep: 20 }] })],
      logger: { level: 'warn' },
    });
    return new PreventionMemoryStore(engine, file);
  }

  /** @returns {Promise<import('./agent-framework.mjs').Memory>} */
  load() {
    return this.engine.read(this.file);
  }

  /** @param {(memory: import('./agent-framework.mjs').Memory) => void} fn */
  async change(fn) {
    // update() runs fn on the latest committed version under the file's lock: no lost notes.
    await this.engine.update(this.file, (memory) => void fn(memory));
  }

  close() {
    return this.engine.close();
  }
}
