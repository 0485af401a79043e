import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runTeam } from './run-team.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('a BMAD team of three processes on one shared context', () => {
  it('hands every story from architect to developer to reviewer, each event once, in seq order', async () => {
    const events = (await runTeam(6)) as Array<{ seq: number; type: string; source: string; correlationId: string }>;
    expect(events).toHaveLength(18);
    expect(events.map((e) => e.seq)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    for (let n = 1; n <= 6; n++) {
      const story = events.filter((e) => e.correlationId === `story-${n}`);
      expect(story.map((e) => `${e.source}:${e.type}`)).toEqual(['architect:design.ready', 'developer:build.done', 'reviewer:review.approved']);
    }
    // The file stays plain JSON any tool can read.
    const file = JSON.parse(await readFile(path.join(root, 'bmad/agents/core/shared_context.json'), 'utf8')) as { events: unknown[] };
    expect(file.events).toHaveLength(18);
  }, 60_000);
});
