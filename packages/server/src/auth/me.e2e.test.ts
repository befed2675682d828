import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../testing/test-app.js';

describe('GET /api/v1/me', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp('sqlite');
  });
  afterAll(() => t.close());

  it("answers the calling token's id, name and role, never its value", async () => {
    for (const role of ['viewer', 'editor', 'approver', 'admin'] as const) {
      const res = await t.call('GET', '/api/v1/me', { token: t.tokens[role] });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ id: expect.any(String), name: role, role });
      expect(res.text).not.toContain(t.tokens[role]);
      const listed = (await t.call('GET', '/api/v1/tokens', { token: t.tokens.admin })).body.tokens;
      expect(listed.find((k: { id: string }) => k.id === res.body.id)).toMatchObject({ name: role });
    }
  });

  it('refuses no token, an unknown one and SDK keys', async () => {
    expect((await t.call('GET', '/api/v1/me')).status).toBe(401);
    expect((await t.call('GET', '/api/v1/me', { token: 'pb_api_nope' })).status).toBe(401);
    expect((await t.call('GET', '/api/v1/me', { token: t.tokens.sdkProd })).status).toBe(403);
    expect((await t.call('GET', '/api/v1/me', { token: t.tokens.clientProd })).status).toBe(403);
  });
});
