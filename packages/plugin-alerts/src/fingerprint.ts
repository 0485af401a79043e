import { sha256Hex } from '@prevention/core';

/**
 * The stable identity of an alert: the same name and labels always give the same fingerprint,
 * whatever the label order, so repeats of one problem are deduplicated.
 */
export function fingerprintOf(name: string, labels: Record<string, string>): string {
  const canonical = JSON.stringify([name, Object.keys(labels).sort().map((key) => [key, labels[key]])]);
  return sha256Hex(Buffer.from(canonical)).slice(0, 16);
}
