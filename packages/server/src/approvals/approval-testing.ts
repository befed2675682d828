import type { TestApp } from '../testing/test-app.js';

/** The actions of the audit entries of one resource, oldest first. */
export async function auditActions(t: TestApp, resource: string): Promise<string[]> {
  const res = await t.call('GET', `/api/v1/audit?resource=${encodeURIComponent(resource)}&limit=1000`, {
    token: t.tokens.viewer,
  });
  return res.body.entries.map((e: { action: string }) => e.action);
}

/** How many audit entries there are in all: a dry run must not add any. */
export async function auditCount(t: TestApp): Promise<number> {
  const res = await t.call('GET', '/api/v1/audit?limit=1000', { token: t.tokens.viewer });
  return res.body.entries.length;
}

/** The current ETag of a resource, for If-Match. */
export async function etagOf(t: TestApp, path: string): Promise<string> {
  return (await t.call('GET', path, { token: t.tokens.viewer })).headers.etag as string;
}

/** Approves a change request as `token`. */
export function approve(t: TestApp, id: string, token: string) {
  // No body: approving needs no note.
  return t.call('POST', `/api/v1/change-requests/${id}/approve`, { token });
}
