import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BACKUP_CONFIG, tempProject, type TempProject } from '../__tests__/cli-harness.js';

// The PostgreSQL side of `db migrate` runs against a real server in @prevention/store-postgres (cli.test.ts).
describe('prevention db migrate on the file store', () => {
  let project: TempProject;
  beforeEach(async () => {
    project = await tempProject();
    await project.write('prevention.config.mjs', BACKUP_CONFIG);
  });
  afterEach(() => project.remove());

  it('says the store has no migrations, and succeeds', async () => {
    for (const args of [['db', 'migrate'], ['db', 'migrate', '--dry-run']]) {
      const run = await project.run(args);
      expect(run).toMatchObject({ code: 0, stdout: 'the configured store (file) has no migrations: nothing to do\n' });
    }
    const json = await project.run(['db', 'migrate', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ store: 'file', migrations: false });
  });
});
