import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIVERS } from '../testing/test-app.js';
import { verifyAudit } from './audit-verify.js';
import { type AuditFixture, startAuditFixture } from './tamper-fixture.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pitboss-worm-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(DRIVERS)('the database keeps the audit log append-only on %s', (driver) => {
  let f: AuditFixture;
  let before: { entries: number; checkpoints: number };
  const count = async () => ({
    entries: (await f.raw.db.selectFrom('audit_log').select('seq').execute()).length,
    checkpoints: (await f.raw.db.selectFrom('audit_checkpoints').select('size').execute()).length,
  });

  beforeAll(async () => {
    f = await startAuditFixture(driver, dir);
    const res = await f.t.call('POST', '/api/v1/audit/checkpoints', { token: f.t.tokens.admin });
    expect(res.status).toBe(201);
    before = await count();
    expect(before.entries).toBeGreaterThan(0);
    expect(before.checkpoints).toBe(1);
  });
  afterAll(() => f.close());

  const refusals = [
    ['update audit_log', sql`update audit_log set actor = 'mallory' where seq = 1`],
    ['delete one audit entry', sql`delete from audit_log where seq = 1`],
    ['delete every audit entry', sql`delete from audit_log`],
    ['update audit_checkpoints', sql`update audit_checkpoints set root_hash = 'x'`],
    ['delete from audit_checkpoints', sql`delete from audit_checkpoints`],
    ...(driver === 'postgres'
      ? ([
          ['truncate audit_log', sql`truncate audit_log`],
          ['truncate audit_checkpoints', sql`truncate audit_checkpoints`],
        ] as const)
      : []),
  ] as const;

  it.each(refusals)('refuses to %s, even through a direct connection', async (_name, statement) => {
    await expect(statement.execute(f.raw.db)).rejects.toThrow(/(audit_log|audit_checkpoints) is append-only/);
  });

  it('still has every entry and checkpoint, intact', async () => {
    expect(await count()).toEqual(before);
    expect(await verifyAudit(f.raw.db)).toMatchObject({ ok: true, checked: before.entries, checkpoints: 1 });
  });
});
