/**
 * Resolves once `condition` holds, looking again every `everyMs` (default 20); rejects naming
 * `what` when it has not held within `timeoutMs` (default 30 s). Tests wait for a condition this
 * way, never for a fixed time.
 */
export async function waitFor(condition: () => boolean | Promise<boolean>, what: string, options: { timeoutMs?: number; everyMs?: number } = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 20));
  }
}
