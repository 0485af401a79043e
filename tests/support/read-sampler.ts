import { readFile } from 'node:fs/promises';

/** What a {@link sampleReads} loop saw. */
export interface ReadSamples {
  reads: number;
  /** Reads that did not parse as JSON: a reader saw a partial or torn file. */
  corrupt: number;
  firstCorrupt: string | undefined;
}

/**
 * Reads and parses `file` every `everyMs` from this process, as an outside reader would, until
 * the returned `stop` is called. A missing file (before the first commit) is not a read.
 */
export function sampleReads(file: string, everyMs = 25): { stop(): Promise<ReadSamples> } {
  const samples: ReadSamples = { reads: 0, corrupt: 0, firstCorrupt: undefined };
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const text = await readFile(file, 'utf8');
        samples.reads += 1;
        try {
          JSON.parse(text);
        } catch (err) {
          samples.corrupt += 1;
          samples.firstCorrupt ??= `${(err as Error).message} (${text.length} bytes)`;
        }
      } catch {
        // Not there yet.
      }
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return samples;
    },
  };
}
