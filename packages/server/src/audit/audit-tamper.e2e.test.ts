import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIVERS } from '../testing/test-app.js';
import type { AuditProblem } from './audit-chain.js';
import { verifyAudit } from './audit-verify.js';
import {
  type AuditFixture,
  dropAppendOnly,
  pitboss,
  rewriteEntry,
  startAuditFixture,
} from './tamper-fixture.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pitboss-tamper-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Where the seeded log has what: the kill switch entry, which the checkpoint ends at, and the last entry. */
interface Seeded {
  readonly f: AuditFixture;
  readonly kill: number;
  readonly last: number;
}

async function seed(f: AuditFixture): Promise<Seeded> {
  const { t } = f;
  for (const feature of ['payments_v2', 'new_lobby']) {
    expect(
      (await t.call('POST', '/api/v1/flags', { token: t.tokens.editor, body: { feature } })).status,
    ).toBe(201);
  }
  const kill = await t.call('POST', '/api/v1/flags/payments_v2/environments/prod/kill', {
    token: t.tokens.editor,
    body: { on: true, reason: 'PSP B failing' },
  });
  expect(kill.status).toBe(200);
  const checkpoint = await t.call('POST', '/api/v1/audit/checkpoints', { token: t.tokens.admin });
  expect(checkpoint.status).toBe(201);
  for (const feature of ['jackpot_banner', 'bonus_wheel']) {
    expect(
      (await t.call('POST', '/api/v1/flags', { token: t.tokens.editor, body: { feature } })).status,
    ).toBe(201);
  }
  const entries = (await t.call('GET', '/api/v1/audit?limit=1000', { token: t.tokens.viewer })).body.entries;
  const killSeq = entries.find((e: { action: string }) => e.action === 'flag.kill_switch').seq;
  // The checkpoint covers the log up to the kill switch, and two changes follow it.
  expect(checkpoint.body.checkpoint.size).toBe(killSeq);
  return { f, kill: killSeq, last: entries.at(-1).seq };
}

const FORGED = { environment: 'prod', killSwitch: false, emergency: false };

/** Each way to tamper, and the entry and problem verification must name. */
const CASES: [
  string,
  (s: Seeded) => Promise<unknown>,
  (s: Seeded) => { seq: number; problem: AuditProblem },
][] = [
  [
    'an edited entry',
    (s) => rewriteEntry(s.f.raw, s.kill, FORGED, 'plain'),
    (s) => ({ seq: s.kill, problem: 'hash' }),
  ],
  [
    'an entry whose after is no longer JSON',
    (s) => sql`update audit_log set after = '{"killSwitch": fals' where seq = ${s.kill}`.execute(s.f.raw.db),
    (s) => ({ seq: s.kill, problem: 'hash' }),
  ],
  [
    'a deleted entry',
    (s) => sql`delete from audit_log where seq = ${s.kill - 1}`.execute(s.f.raw.db),
    (s) => ({ seq: s.kill - 1, problem: 'missing' }),
  ],
  [
    'a rewritten entry with its hash recomputed (the next link catches it)',
    (s) => rewriteEntry(s.f.raw, s.kill - 1, { forged: true }, 'rehash'),
    (s) => ({ seq: s.kill - 1, problem: 'prev_hash' }),
  ],
  [
    'a rewritten entry with every later hash recomputed (the checkpoint catches it)',
    (s) => rewriteEntry(s.f.raw, s.kill, FORGED, 'rechain'),
    (s) => ({ seq: s.kill, problem: 'checkpoint' }),
  ],
  [
    'a log cut short below its checkpoint',
    (s) => sql`delete from audit_log where seq >= ${s.kill}`.execute(s.f.raw.db),
    (s) => ({ seq: s.kill, problem: 'missing' }),
  ],
  [
    'a forged checkpoint',
    (s) => sql`update audit_checkpoints set root_hash = ${'ab'.repeat(32)}`.execute(s.f.raw.db),
    (s) => ({ seq: s.kill, problem: 'checkpoint' }),
  ],
];

describe.each(DRIVERS)('tampering with the audit log on %s', (driver) => {
  it('finds an untouched log intact: API, function and CLI agree', async () => {
    const s = await seed(await startAuditFixture(driver, dir));
    try {
      const expected = { ok: true, checked: s.last, checkpoints: 1 };
      expect(await verifyAudit(s.f.raw.db)).toEqual(expected);
      expect(await verifyAudit(s.f.raw.db, { pageSize: 2 })).toEqual(expected);
      const api = await s.f.t.call('GET', '/api/v1/audit/verify', { token: s.f.t.tokens.admin });
      expect(api.body).toEqual(expected);
      // An auditor with a read-only token sees the same verdict (the console's audit page shows it).
      const viewer = await s.f.t.call('GET', '/api/v1/audit/verify', { token: s.f.t.tokens.viewer });
      expect(viewer.body).toEqual(expected);
      const cli = pitboss(['audit', 'verify', '--database', s.f.url]);
      expect(cli.stdout).toBe(`ok: ${s.last} entries, chain intact, 1 checkpoints\n`);
      expect(cli.code).toBe(0);
    } finally {
      await s.f.close();
    }
  });

  it.each(CASES)('names the entry behind %s', async (_name, tamper, expectation) => {
    const s = await seed(await startAuditFixture(driver, dir));
    try {
      await dropAppendOnly(s.f.raw);
      await tamper(s);
      const { seq, problem } = expectation(s);
      const result = await verifyAudit(s.f.raw.db);
      expect(result).toMatchObject({ ok: false, firstBroken: { seq, problem } });
      expect(result.checked).toBeLessThan(s.last);
      // Page boundaries change nothing.
      expect(await verifyAudit(s.f.raw.db, { pageSize: 2 })).toEqual(result);
      const api = await s.f.t.call('GET', '/api/v1/audit/verify', { token: s.f.t.tokens.admin });
      expect(api.body).toEqual(result);
      const cli = pitboss(['audit', 'verify', '--database', s.f.url]);
      expect(cli.stdout).toBe(`broken at seq ${seq}: ${problem}: ${result.firstBroken!.message}\n`);
      expect(cli.stderr).toBe('');
      expect(cli.code).toBe(1);
      // A log that no longer verifies gets no new checkpoint vouching for it.
      const refused = await s.f.t.call('POST', '/api/v1/audit/checkpoints', { token: s.f.t.tokens.admin });
      expect(refused.status).toBe(500);
      expect(refused.body.message).toBe(
        `no checkpoint taken: the audit log is broken at seq ${seq}: ${result.firstBroken!.message}`,
      );
      const cliCheckpoint = pitboss(['audit', 'checkpoint', '--database', s.f.url]);
      expect(cliCheckpoint.stderr).toBe(
        `pitboss: no checkpoint taken: broken at seq ${seq}: ${problem}: ${result.firstBroken!.message}\n`,
      );
      expect(cliCheckpoint.code).toBe(1);
    } finally {
      await s.f.close();
    }
  });
});
