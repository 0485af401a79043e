/** Small formatters shared by the commands' human-readable output. */

/** A byte count for people: 512 B, 12.3 KiB, 4.0 MiB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The start of a sha256, enough to tell versions apart on screen. */
export function shortSha(sha256: string): string {
  return sha256.slice(0, 12);
}

/** How long ago `at` was, roughly: 4s ago, 3m ago, 2h ago, 5d ago. */
export function ago(at: Date, now = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - at.getTime()) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

/** Where in a text something went wrong: `at byte 6 (line 1, column 7)`. */
export function atPosition(position: { offset: number; line: number; column: number }): string {
  return `at byte ${position.offset} (line ${position.line}, column ${position.column})`;
}
