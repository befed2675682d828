import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIVERS, startTestApp, type TestApp } from '../testing/test-app.js';
import { readDocumentSet } from './read-documents.js';

const EXAMPLES = fileURLToPath(new URL('../../../../examples/gitops', import.meta.url));

const QA = { kind: 'Environment', key: 'qa', description: 'Test lab' };
const EMPLOYEES = { kind: 'Segment', key: 'employees', if: 'user.isEmployee' };
// The prerequisite names a flag of a later document: references are checked against the final state.
const CODEC = {
  kind: 'Flag',
  key: 'ws_codec',
  flagKind: 'release',
  expiresAt: '2099-01-01T00:00:00Z',
  prerequisites: [{ flag: 'payments', variant: 'on' }],
  rules: [{ if: "segment('employees')" }],
};
const PAYMENTS = {
  kind: 'Flag',
  key: 'payments',
  flagKind: 'release',
  expiresAt: '2099-01-01T00:00:00Z',
  rules: [{ if: "market in ['DE','SE']", rollout: 0.25 }],
};
const DOCUMENTS = [CODEC, EMPLOYEES, QA, PAYMENTS];

describe.each(DRIVERS)('GitOps apply on %s', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(driver);
  });
  afterAll(() => t.close());

  const apply = (body: Record<string, unknown>, token = t.tokens.admin) =>
    t.call('POST', '/api/v1/apply', { token, body });
  const lastSeq = async (): Promise<number> => {
    const entries = (await t.call('GET', '/api/v1/audit?limit=1000', { token: t.tokens.viewer })).body
      .entries;
    return entries.at(-1)?.seq ?? 0;
  };
  const auditAfter = async (seq: number) =>
    (await t.call('GET', `/api/v1/audit?after=${seq}`, { token: t.tokens.viewer })).body.entries;

  it('needs the admin role', async () => {
    expect((await apply({ documents: DOCUMENTS }, t.tokens.editor)).status).toBe(403);
  });

  it('creates environments, segments and flags in one audited transaction', async () => {
    const seq = await lastSeq();
    const res = await apply({ documents: DOCUMENTS });
    expect(res.status).toBe(200);
    expect(res.body.plan).toEqual({
      create: ['environment:qa', 'segment:employees', 'flag:ws_codec', 'flag:payments'],
      update: [],
      archive: [],
      unchanged: [],
    });
    const flag = (await t.call('GET', '/api/v1/flags/ws_codec', { token: t.tokens.viewer })).body.flag;
    expect(flag.environments.qa.prerequisites).toEqual([{ flag: 'payments', variant: 'on' }]);
    const entries = await auditAfter(seq);
    expect(entries.map((e: { action: string }) => e.action)).toEqual([
      'environment.create',
      'segment.create',
      'flag.create',
      'flag.create',
    ]);
    expect(entries[0].reason).toBe('pitboss apply');
  });

  it('is idempotent: the same state written differently changes nothing and writes no audit entry', async () => {
    const seq = await lastSeq();
    // Key order, a default written out and the top-level rule copied into every environment: same model.
    const rewritten = {
      rules: PAYMENTS.rules,
      expiresAt: PAYMENTS.expiresAt,
      key: 'payments',
      kind: 'Flag',
      enabled: true,
      environments: Object.fromEntries(
        ['dev', 'stage', 'canary', 'prod', 'qa'].map((e) => [e, { rules: PAYMENTS.rules }]),
      ),
    };
    const res = await apply({ documents: [QA, EMPLOYEES, CODEC, rewritten] });
    expect(res.status).toBe(200);
    expect(res.body.plan).toMatchObject({ create: [], update: [], archive: [] });
    expect(res.body.plan.unchanged).toHaveLength(4);
    expect(await auditAfter(seq)).toEqual([]);
  });

  it('plans a dry run without writing anything', async () => {
    const seq = await lastSeq();
    const changed = { ...PAYMENTS, environments: { prod: { killSwitch: true } } };
    const res = await apply({ documents: [changed], dryRun: true });
    expect(res.body).toMatchObject({
      dryRun: true,
      plan: {
        update: [
          {
            resource: 'flag:payments',
            changes: [{ path: 'environments.prod.killSwitch', before: false, after: true }],
          },
        ],
      },
    });
    const stored = (await t.call('GET', '/api/v1/flags/payments', { token: t.tokens.viewer })).body.flag;
    expect(stored.environments.prod.killSwitch).toBe(false);
    expect(await auditAfter(seq)).toEqual([]);
  });

  it('refuses an invalid set as a whole, naming the document and the field', async () => {
    const seq = await lastSeq();
    const fresh = { kind: 'Flag', key: 'fresh', expiresAt: '2099-01-01T00:00:00Z' };
    const bad = {
      kind: 'Flag',
      key: 'bad',
      expiresAt: '2099-01-01T00:00:00Z',
      rules: [{ if: "market = 'DE'" }],
    };
    const res = await apply({
      documents: [fresh, { kind: 'Segment', key: 'ok', if: 'true', colour: 1 }, bad],
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.message).toContain('nothing applied');
    expect(res.body.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          document: 1,
          kind: 'Segment',
          code: 'CONFIG_UNKNOWN_FIELD',
          path: ['colour'],
        }),
        expect.objectContaining({
          document: 2,
          kind: 'Flag',
          key: 'bad',
          code: 'EXPR_SYNTAX',
          path: ['rules', 0, 'if'],
        }),
      ]),
    );
    expect((await t.call('GET', '/api/v1/flags/fresh', { token: t.tokens.viewer })).status).toBe(404);
    expect(await auditAfter(seq)).toEqual([]);
  });

  it('checks references against the final state and refuses malformed documents', async () => {
    const orphan = { ...CODEC, prerequisites: [{ flag: 'nowhere', variant: 'on' }] };
    const wrongKind = { ...PAYMENTS, flagKind: 'feature' };
    const res = await apply({
      documents: [orphan, wrongKind, { kind: 'Preset', key: 'p' }, { kind: 'flag' }],
    });
    const details = res.body.details as {
      document: number;
      code: string;
      path: unknown[];
      message: string;
    }[];
    expect(details.find((d) => d.document === 0)).toMatchObject({ code: 'FLAG_UNKNOWN_PREREQUISITE' });
    expect(details.find((d) => d.document === 1)).toMatchObject({ code: 'CONFIG_TYPE', path: ['flagKind'] });
    // A preset is read by the presets module: without states it names the missing field.
    expect(details.find((d) => d.document === 2)).toMatchObject({
      kind: 'Preset',
      key: 'p',
      code: 'CONFIG_REQUIRED',
      path: ['states'],
    });
    expect(details.find((d) => d.document === 3)?.message).toContain("did you mean 'Flag'?");
  });

  it('refuses a change that breaks a stored flag the documents do not mention', async () => {
    // ws_codec needs payments = on; payments without an `on` variant would break it.
    const noOn = { ...PAYMENTS, variants: { a: 'a', b: 'b' }, rules: [{ variant: 'b' }] };
    const res = await apply({ documents: [noOn] });
    expect(res.status).toBe(400);
    // Once per environment: the stored model spells every environment out.
    expect(res.body.details).toHaveLength(5);
    for (const d of res.body.details)
      expect(d).toMatchObject({
        resource: 'flag:ws_codec',
        code: 'FLAG_UNKNOWN_VARIANT',
        path: ['environments', expect.any(String), 'prerequisites', 0],
      });
    expect(res.body.message).toContain('flag:ws_codec');
  });

  it('prunes flags and segments the documents omit, never environments', async () => {
    const extra = { kind: 'Flag', key: 'extra', expiresAt: '2099-01-01T00:00:00Z' };
    await apply({ documents: [extra] });
    const seq = await lastSeq();
    const res = await apply({ documents: [PAYMENTS, EMPLOYEES, CODEC], prune: true });
    expect(res.body.plan).toMatchObject({ create: [], update: [], archive: ['flag:extra'] });
    const extraNow = (await t.call('GET', '/api/v1/flags/extra', { token: t.tokens.viewer })).body;
    expect(extraNow.archived).toBe(true);
    expect((await auditAfter(seq)).map((e: { action: string }) => e.action)).toEqual(['flag.archive']);
    const envs = (await t.call('GET', '/api/v1/environments', { token: t.tokens.viewer })).body.environments;
    expect(envs.map((e: { key: string }) => e.key)).toContain('qa');
    // A document names an archived flag again: it is restored.
    const back = await apply({ documents: [extra] });
    expect(back.body.plan.create).toEqual(['flag:extra']);
    expect((await t.call('GET', '/api/v1/flags/extra', { token: t.tokens.viewer })).body.archived).toBe(
      false,
    );
  });

  it('exports documents that apply back unchanged', async () => {
    const killed = await t.call('POST', '/api/v1/flags/payments/environments/canary/kill', {
      token: t.tokens.editor,
      body: { on: true },
    });
    expect(killed.status, killed.text).toBe(200);
    const exported = await t.call('GET', '/api/v1/export', { token: t.tokens.viewer });
    expect(exported.status).toBe(200);
    const docs = exported.body.documents as { kind: string; key: string }[];
    expect(docs.filter((d) => d.kind === 'Environment').map((d) => d.key)).toEqual([
      'dev',
      'stage',
      'canary',
      'prod',
      'qa',
    ]);
    // Compact: the flag-wide rule once at the top, the canary kill switch as an override.
    expect(docs.find((d) => d.key === 'payments')).toMatchObject({
      flagKind: 'release',
      rules: PAYMENTS.rules,
      environments: { canary: { killSwitch: true } },
    });
    const seq = await lastSeq();
    const res = await apply({ documents: docs, prune: true });
    expect(res.body.plan).toMatchObject({ create: [], update: [], archive: [] });
    expect(res.body.plan.unchanged).toHaveLength(docs.length);
    expect(await auditAfter(seq)).toEqual([]);
  });

  it('lets only apply change a GitOps-locked environment; the kill switch still works there', async () => {
    const lock = await t.call('PATCH', '/api/v1/environments/prod', {
      token: t.tokens.admin,
      body: { gitopsLocked: true },
    });
    expect(lock.status).toBe(200);
    const read = await t.call('GET', '/api/v1/flags/payments', { token: t.tokens.viewer });
    const manual = await t.call('PATCH', '/api/v1/flags/payments/environments/prod', {
      token: t.tokens.editor,
      body: { enabled: false },
      headers: { 'if-match': read.headers.etag as string },
    });
    expect(manual.status, manual.text).toBe(409);
    expect(manual.body.code).toBe('GITOPS_LOCKED');
    const applied = await apply({ documents: [{ ...PAYMENTS, environments: { prod: { enabled: false } } }] });
    expect(applied.status).toBe(200);
    expect(applied.body.plan.update[0].resource).toBe('flag:payments');
    const kill = await t.call('POST', '/api/v1/flags/payments/environments/prod/kill', {
      token: t.tokens.editor,
      body: { on: true, reason: 'PSP outage' },
    });
    expect(kill.status).toBe(200);
    const stored = (await t.call('GET', '/api/v1/flags/payments', { token: t.tokens.viewer })).body.flag;
    expect(stored.environments.prod).toMatchObject({ enabled: false, killSwitch: true });
    // Apply leaves an environment's lock alone unless a document states it.
    const envs = (await t.call('GET', '/api/v1/environments', { token: t.tokens.viewer })).body.environments;
    expect(envs.find((e: { key: string }) => e.key === 'prod').gitopsLocked).toBe(true);
  });

  it('applies examples/gitops cleanly, and again as a no-op', async () => {
    const set = await readDocumentSet([EXAMPLES]);
    expect(set.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const documents = set.documents.map((d) => d.value);
    const first = await apply({ documents });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.plan.create).toEqual(
      expect.arrayContaining([
        'segment:nordics',
        'flag:payments_v2',
        'flag:ws_codec_v2',
        'flag:vip_cashout',
        'preset:return-old-payment',
      ]),
    );
    const seq = await lastSeq();
    const second = await apply({ documents });
    expect(second.body.plan).toMatchObject({ create: [], update: [], archive: [] });
    expect(await auditAfter(seq)).toEqual([]);
  });
});
