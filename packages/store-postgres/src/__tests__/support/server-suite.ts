import { afterAll, beforeAll, describe } from 'vitest';
import { postgresAvailability, PostgresServer } from '../../testing/index.js';

/**
 * `describe` for tests that need a real PostgreSQL server: starts one for the file (`server()`
 * returns it) and stops it at the end. Without PostgreSQL installed the tests are skipped with
 * the reason in their name, except in CI, where the suite throws.
 */
export function describeWithPostgres(title: string, body: (server: () => PostgresServer) => void): void {
  const availability = postgresAvailability();
  if (!availability.available) {
    describe.skip(`${title} (skipped: ${availability.reason})`, () => body(() => undefined as never));
    return;
  }
  let server: PostgresServer | undefined;
  beforeAll(async () => {
    server = await PostgresServer.start();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  }, 60_000);
  describe(title, () =>
    body(() => {
      if (!server) throw new Error('the PostgreSQL server did not start');
      return server;
    }),
  );
}
