import { randomUUID } from 'node:crypto';
import type { Alert } from '@prevention/core';
import { matches, type Matcher } from '../matcher.js';

/** A silence: alerts it matches are not notified until it expires. */
export interface Silence {
  id: string;
  matcher: Matcher;
  /** Expiry, epoch milliseconds. */
  endsAt: number;
  /** Why, and who. */
  comment?: string;
}

/** The active silences; expired ones are dropped as they are met. */
export class Silences {
  private readonly silences = new Map<string, Silence>();

  constructor(silences: readonly Silence[] = []) {
    for (const silence of silences) this.silences.set(silence.id, silence);
  }

  /** Adds a silence until `endsAt`; returns its id. */
  add(matcher: Matcher, endsAt: number, comment?: string): string {
    const id = randomUUID();
    this.silences.set(id, { id, matcher, endsAt, ...(comment === undefined ? {} : { comment }) });
    return id;
  }

  /** Ends a silence now; false when there was no such silence. */
  expire(id: string): boolean {
    return this.silences.delete(id);
  }

  /** True when an unexpired silence matches the alert. */
  isSilenced(alert: Alert, now: number): boolean {
    for (const silence of this.silences.values()) {
      if (silence.endsAt <= now) this.silences.delete(silence.id);
      else if (matches(silence.matcher, alert)) return true;
    }
    return false;
  }

  /** The unexpired silences. */
  active(now: number): Silence[] {
    return [...this.silences.values()].filter((silence) => silence.endsAt > now);
  }
}
