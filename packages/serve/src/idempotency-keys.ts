import { createHash } from 'node:crypto';
import { ErrorCodes } from '@prevention/core';
import { RequestError } from './request-error.js';

/** How long, and how many, answers are kept (the protocol's figures). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
export const IDEMPOTENCY_MAX_KEYS = 10_000;

interface Entry<T> {
  /** Hash of what the first request asked, so a key reused for something else is refused. */
  fingerprint: string;
  expiresAt: number;
  answer: Promise<T>;
}

/**
 * The answers of publishes sent with an `Idempotency-Key`, for the server's life: a retry with
 * the same key gets the first answer and commits nothing. A retry that arrives while the first
 * request is still committing waits for it. Only successes are kept: a publish that failed
 * committed nothing, so its retry runs again.
 */
export class IdempotencyKeys<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly ttlMs = IDEMPOTENCY_TTL_MS,
    private readonly maxKeys = IDEMPOTENCY_MAX_KEYS,
  ) {}

  /** Runs `work` once per `key` (scoped by `scope`, the file) and `request` body. */
  run(scope: string, key: string, request: Uint8Array, work: () => Promise<T>): Promise<T> {
    const id = `${scope}\0${key}`;
    const fingerprint = createHash('sha256').update(request).digest('hex');
    const now = this.now();
    const found = this.entries.get(id);
    if (found && found.expiresAt > now) {
      if (found.fingerprint !== fingerprint) {
        return Promise.reject(
          new RequestError(ErrorCodes.BAD_REQUEST, `the Idempotency-Key ${JSON.stringify(key)} was already used for a different request`, 'use a new key for every distinct publish, and the same key only to retry it', 422, { details: { idempotencyKey: key } }),
        );
      }
      return found.answer;
    }
    this.entries.delete(id);
    const answer = work();
    this.entries.set(id, { fingerprint, expiresAt: now + this.ttlMs, answer });
    answer.catch(() => {
      if (this.entries.get(id)?.answer === answer) this.entries.delete(id);
    });
    this.evict(now);
    return answer;
  }

  /** Drops expired keys, then the oldest ones beyond the limit (a Map iterates in insertion order). */
  private evict(now: number): void {
    for (const [id, entry] of this.entries) {
      if (this.entries.size <= this.maxKeys && entry.expiresAt > now) break;
      this.entries.delete(id);
    }
  }
}
