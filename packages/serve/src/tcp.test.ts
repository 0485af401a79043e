import { afterEach, describe, expect, it } from 'vitest';
import { ServeProjects } from './__tests__/serve-project.js';

const projects = new ServeProjects();
afterEach(() => projects.cleanup());

const TOKEN = 'tcp-test-token-2f1c';

async function get(port: number, authorization?: string): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/v1/health`, { headers: authorization ? { Authorization: authorization } : {} });
}

describe('TCP (--port)', () => {
  it('listens on 127.0.0.1 and answers only requests with the bearer token (401 otherwise)', async () => {
    const { server, send } = await projects.start(undefined, { port: 0, token: TOKEN });
    expect(server.port).toBeGreaterThan(0);
    const missing = await get(server.port!);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toMatchObject({ error: { code: 'PREVENTION_UNAUTHORIZED' } });
    expect(JSON.stringify(await (await get(server.port!, 'Bearer wrong')).json())).not.toContain(TOKEN);
    expect((await get(server.port!, 'Bearer wrong')).status).toBe(401);
    expect((await get(server.port!, `Bearer ${TOKEN}`)).status).toBe(200);
    // The socket needs no token: its mode keeps other users out.
    expect((await send({ path: '/v1/health' })).status).toBe(200);
  });

  it('refuses to start on TCP without a token', async () => {
    await expect(projects.start(undefined, { port: 0 })).rejects.toMatchObject({ code: 'PREVENTION_USAGE' });
  });
});
