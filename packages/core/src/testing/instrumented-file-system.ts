import type { FileSystem } from '../contract.js';
import { NodeFileSystem } from '../fs/node-file-system.js';

/** One call made through the port. */
export interface FsCall {
  /** Position in the trace, from 0. */
  index: number;
  op: Exclude<keyof FileSystem, 'flags'>;
  /** The path the call concerns (for descriptor calls, the path the descriptor was opened on). */
  path: string | undefined;
  args: unknown[];
}

/** A fault to inject. */
export interface FaultRule {
  /** Which calls it applies to. */
  when: (call: FsCall) => boolean;
  /** Fail the call with this system error code (ENOSPC, EIO, ...) or error, before it runs. */
  error?: string | Error;
  /** Run the call, then replace its result (for example, lie about bytes read back). */
  result?: (value: unknown, call: FsCall) => unknown;
  /** Run before the call (for example, `process.exit` for a crash point). */
  before?: (call: FsCall) => void;
  /** Run once the call has settled, whether it succeeded or failed (a crash point right after it). */
  after?: (call: FsCall) => void;
  /** How many matching calls it affects; default 1, `Infinity` for a persistent fault. */
  times?: number;
}

function systemError(code: string, call: FsCall): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected fault, ${call.op} '${call.path ?? ''}'`), { code, errno: -1, syscall: call.op, path: call.path });
}

/**
 * A FileSystem that records every call and injects faults, wrapped around a real one. Used by
 * prevention's own tests and usable by anyone testing a middleware or strategy.
 */
export class InstrumentedFileSystem {
  /** Every call made, in order. */
  readonly calls: FsCall[] = [];
  /** The port to hand to `createEngine({ fileSystem })`. */
  readonly fs: FileSystem;
  private readonly rules: Array<FaultRule & { remaining: number }> = [];
  private readonly descriptors = new Map<number, string>();

  constructor(readonly inner: FileSystem = new NodeFileSystem()) {
    this.fs = new Proxy(inner, {
      get: (target, property, receiver) => {
        const value = Reflect.get(target, property, receiver) as unknown;
        if (typeof value !== 'function' || property === 'constructor') return value;
        const op = property as FsCall['op'];
        return (...args: unknown[]) => this.invoke(op, args, () => (value as (...a: unknown[]) => unknown).apply(target, args));
      },
    });
  }

  /** Adds a fault; returns a function that removes it. */
  inject(rule: FaultRule): () => void {
    const entry = { ...rule, remaining: rule.times ?? 1 };
    this.rules.push(entry);
    return () => {
      const i = this.rules.indexOf(entry);
      if (i !== -1) this.rules.splice(i, 1);
    };
  }

  /** Removes every fault and forgets the trace. */
  reset(): void {
    this.rules.length = 0;
    this.calls.length = 0;
  }

  /** The trace as `op path` strings, handy in assertions. */
  summary(filter: (call: FsCall) => boolean = () => true): string[] {
    return this.calls.filter(filter).map((c) => `${c.op} ${c.path ?? ''}`.trim());
  }

  private invoke(op: FsCall['op'], args: unknown[], run: () => unknown): unknown {
    const first = args[0];
    const path = typeof first === 'string' ? first : typeof first === 'number' ? this.descriptors.get(first) : undefined;
    const call: FsCall = { index: this.calls.length, op, path, args };
    this.calls.push(call);
    const rule = this.rules.find((r) => r.remaining > 0 && r.when(call));
    if (rule) rule.remaining -= 1;
    rule?.before?.(call);
    if (rule?.error !== undefined) {
      const error = typeof rule.error === 'string' ? systemError(rule.error, call) : rule.error;
      if (op === 'rmdirSync' || op === 'watchDirectory') throw error;
      return Promise.reject(error);
    }
    const result = run();
    if (op === 'rmdirSync' || op === 'watchDirectory') return result;
    const settled = (result as Promise<unknown>).then((value) => {
      if (op === 'open' && typeof value === 'number' && path) this.descriptors.set(value, path);
      if (op === 'close' && typeof first === 'number') this.descriptors.delete(first);
      return rule?.result ? rule.result(value, call) : value;
    });
    const after = rule?.after;
    return after ? settled.finally(() => after(call)) : settled;
  }
}
