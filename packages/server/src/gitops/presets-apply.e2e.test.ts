import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIVERS, startTestApp, type TestApp } from '../testing/test-app.js';
import { readDocumentSet } from './read-documents.js';

const EXAMPLES = fileURLToPath(new URL('../../../../examples/gitops', import.meta.url));

const flagDoc = (key: string) => ({ kind: 'Flag', key, flagKind: 'ops' });
const PAYMENTS = flagDoc('payments_v2');
const PSP_B = flagDoc('psp_b');
const PROMO = flagDoc('promo');
// Written before the flags it names: apply orders the work by kind, and references are judged on the final state.
const RETURN_OLD_PAYMENT = {
  kind: 'Preset',
  key: 'return-old-payment',
  description: 'Back to the old payment path',
  protected: true,
  emergency: true,
  states: {
    payments_v2: { prod: { killSwitch: true }, canary: { killSwitch: true } },
    psp_b: { prod: { enabled: false } },
  },
};
const PROMO_OFF = { kind: 'Preset', key: 'promo_off', states: { promo: { prod: { enabled: false } } } };
const DOCUMENTS = [RETURN_OLD_PAYMENT, PROMO_OFF, PAYMENTS, PSP_B, PROMO];

describe.each(DRIVERS)('GitOps presets on %s', (driver) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(driver);
  });
  afterAll(() => t.close());

  const apply = (body: Record<string, unknown>) =>
    t.call('POST', '/api/v1/apply', { token: t.tokens.admin, body });
  const lastSeq = async (): Promise<number> => {
    const entries = (await t.call('GET', '/api/v1/audit?limit=1000', { token: t.tokens.viewer })).body
      .entries;
    return entries.at(-1)?.seq ?? 0;
  };
  const auditAfter = async (seq: number): Promise<{ action: string; resource: string; before: unknown }[]> =>
    (await t.call('GET', `/api/v1/audit?after=${seq}`, { token: t.tokens.viewer })).body.entries;
  const preset = async (key: string) =>
    (await t.call('GET', `/api/v1/presets/${key}`, { token: t.tokens.viewer })).body;
  const presetKeys = async (): Promise<string[]> =>
    (await t.call('GET', '/api/v1/presets', { token: t.tokens.viewer })).body.presets.map(
      (p: { preset: { key: string } }) => p.preset.key,
    );

  it('creates presets after the flags they name, in the same audited transaction', async () => {
    const seq = await lastSeq();
    const res = await apply({ documents: DOCUMENTS });
    expect(res.status, res.text).toBe(200);
    expect(res.body.plan).toEqual({
      create: [
        'flag:payments_v2',
        'flag:psp_b',
        'flag:promo',
        'preset:return-old-payment',
        'preset:promo_off',
      ],
      update: [],
      archive: [],
      unchanged: [],
    });
    expect((await auditAfter(seq)).map((e) => [e.action, e.resource])).toEqual([
      ['flag.create', 'flag:payments_v2'],
      ['flag.create', 'flag:psp_b'],
      ['flag.create', 'flag:promo'],
      ['preset.create', 'preset:return-old-payment'],
      ['preset.create', 'preset:promo_off'],
    ]);
    const stored = await preset('return-old-payment');
    expect(stored).toMatchObject({ version: 1, archived: false });
    const { kind: _kind, ...body } = RETURN_OLD_PAYMENT;
    expect(stored.preset).toEqual(body);
    // What apply wrote is a preset like any other: the preset API reads and applies it.
    expect((await preset('promo_off')).preset).toMatchObject({ protected: false, emergency: false });
    const diff = await t.call('POST', '/api/v1/presets/promo_off/diff', { token: t.tokens.viewer });
    expect(diff.body.changes).toEqual({ promo: { prod: { enabled: { before: true, after: false } } } });
  });

  it('is idempotent: a second apply is unchanged and writes no audit entry', async () => {
    const seq = await lastSeq();
    // Key order and defaults written out do not count as changes.
    const rewritten = {
      states: PROMO_OFF.states,
      emergency: false,
      protected: false,
      key: 'promo_off',
      kind: 'Preset',
    };
    const res = await apply({ documents: [RETURN_OLD_PAYMENT, rewritten, PAYMENTS, PSP_B, PROMO] });
    expect(res.status, res.text).toBe(200);
    expect(res.body.plan).toMatchObject({ create: [], update: [], archive: [] });
    expect(res.body.plan.unchanged).toHaveLength(5);
    expect(await auditAfter(seq)).toEqual([]);
    expect((await preset('promo_off')).version).toBe(1);
  });

  it('updates a preset with the changed fields in the plan and a preset.update entry', async () => {
    const seq = await lastSeq();
    const next = {
      ...PROMO_OFF,
      description: 'Promotions off',
      states: { promo: { prod: { enabled: false }, stage: { enabled: false } } },
    };
    const dry = await apply({ documents: [next], dryRun: true });
    expect(dry.body.plan.update).toEqual([
      {
        resource: 'preset:promo_off',
        changes: [
          { path: 'description', after: 'Promotions off' },
          { path: 'states.promo.stage', after: { enabled: false } },
        ],
      },
    ]);
    expect(await auditAfter(seq)).toEqual([]);
    const res = await apply({ documents: [next] });
    expect(res.status, res.text).toBe(200);
    expect(res.body.plan.update.map((u: { resource: string }) => u.resource)).toEqual(['preset:promo_off']);
    const entries = await auditAfter(seq);
    expect(entries.map((e) => e.action)).toEqual(['preset.update']);
    expect(entries[0]!.before).toMatchObject({ states: PROMO_OFF.states });
    expect(await preset('promo_off')).toMatchObject({
      version: 2,
      preset: { description: 'Promotions off' },
    });
  });

  it('refuses unknown flags, unknown environments and bad fields, naming the document and field', async () => {
    const seq = await lastSeq();
    const res = await apply({
      documents: [
        flagDoc('fresh'),
        {
          kind: 'Preset',
          key: 'typos',
          states: { promoo: { prod: { enabled: false } }, promo: { qa: { enabled: false } } },
        },
        {
          kind: 'Preset',
          key: 'fields',
          colour: 'red',
          states: { promo: { prod: { enabled: 'no', rolout: 1 } } },
        },
        { kind: 'Preset', key: 'empty' },
      ],
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.message).toMatch(
      /nothing applied; first: document 1 \(Preset typos\), field states\.promoo: flag 'promoo' does not exist/,
    );
    const found = (res.body.details as { document: number; path: unknown[] }[]).map((d) => ({
      document: d.document,
      path: d.path,
    }));
    expect(res.body.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          document: 1,
          kind: 'Preset',
          key: 'typos',
          code: 'CONFIG_UNKNOWN_FIELD',
          path: ['states', 'promoo'],
        }),
        expect.objectContaining({
          document: 1,
          code: 'CONFIG_UNKNOWN_FIELD',
          path: ['states', 'promo', 'qa'],
          message: expect.stringContaining("environment 'qa' does not exist"),
        }),
        expect.objectContaining({
          document: 2,
          kind: 'Preset',
          key: 'fields',
          code: 'CONFIG_UNKNOWN_FIELD',
          path: ['colour'],
        }),
        expect.objectContaining({
          document: 2,
          code: 'CONFIG_TYPE',
          path: ['states', 'promo', 'prod', 'enabled'],
        }),
        expect.objectContaining({
          document: 2,
          code: 'CONFIG_UNKNOWN_FIELD',
          path: ['states', 'promo', 'prod', 'rolout'],
        }),
        expect.objectContaining({ document: 3, code: 'CONFIG_REQUIRED', path: ['states'] }),
      ]),
    );
    expect(found).toHaveLength(6);
    // Nothing applied: not the valid flag document either.
    expect((await t.call('GET', '/api/v1/flags/fresh', { token: t.tokens.viewer })).status).toBe(404);
    expect(await presetKeys()).toEqual(['promo_off', 'return-old-payment']);
    expect(await auditAfter(seq)).toEqual([]);
  });

  it('refuses a preset naming a flag that prune would archive', async () => {
    const seq = await lastSeq();
    // promo_off is kept, but no document names its flag any more.
    const res = await apply({ documents: [PROMO_OFF, PAYMENTS, PSP_B, RETURN_OLD_PAYMENT], prune: true });
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([
      expect.objectContaining({
        document: 0,
        kind: 'Preset',
        key: 'promo_off',
        code: 'CONFIG_UNKNOWN_FIELD',
        path: ['states', 'promo'],
        message: "flag 'promo' does not exist once the documents are applied",
      }),
    ]);
    expect(await auditAfter(seq)).toEqual([]);
  });

  it('prunes presets the documents omit, as preset.archive, and revives them when named again', async () => {
    const seq = await lastSeq();
    const res = await apply({ documents: [RETURN_OLD_PAYMENT, PAYMENTS, PSP_B, PROMO], prune: true });
    expect(res.status, res.text).toBe(200);
    expect(res.body.plan).toMatchObject({ create: [], update: [], archive: ['preset:promo_off'] });
    expect((await auditAfter(seq)).map((e) => [e.action, e.resource])).toEqual([
      ['preset.archive', 'preset:promo_off'],
    ]);
    expect(await presetKeys()).toEqual(['return-old-payment']);

    const again = await lastSeq();
    const back = await apply({ documents: [PROMO_OFF] });
    expect(back.status, back.text).toBe(200);
    expect(back.body.plan.create).toEqual(['preset:promo_off']);
    const entries = await auditAfter(again);
    expect(entries.map((e) => e.action)).toEqual(['preset.create']);
    // The revival keeps the history readable: the archived preset is the entry's `before`.
    expect(entries[0]!.before).toMatchObject({ key: 'promo_off' });
    expect(await preset('promo_off')).toMatchObject({
      archived: false,
      preset: { states: PROMO_OFF.states },
    });
  });

  it('exports presets as documents that apply back unchanged, with prune', async () => {
    const exported = await t.call('GET', '/api/v1/export', { token: t.tokens.viewer });
    expect(exported.status).toBe(200);
    const docs = exported.body.documents as { kind: string; key: string }[];
    // After the flags, compact: false defaults left out.
    expect(docs.slice(-2)).toEqual([
      { kind: 'Preset', key: 'promo_off', states: PROMO_OFF.states },
      RETURN_OLD_PAYMENT,
    ]);
    const seq = await lastSeq();
    const res = await apply({ documents: docs, prune: true });
    expect(res.status, res.text).toBe(200);
    expect(res.body.plan).toMatchObject({ create: [], update: [], archive: [] });
    expect(res.body.plan.unchanged).toHaveLength(docs.length);
    expect(await auditAfter(seq)).toEqual([]);
  });

  it('applies examples/gitops with its preset cleanly, and again as a no-op', async () => {
    const set = await readDocumentSet([EXAMPLES]);
    expect(set.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const documents = set.documents.map((d) => d.value);
    const first = await apply({ documents });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    // The repository's version of the preset replaces this test's one.
    expect(first.body.plan.update.map((u: { resource: string }) => u.resource)).toContain(
      'preset:return-old-payment',
    );
    const seq = await lastSeq();
    const second = await apply({ documents });
    expect(second.body.plan).toMatchObject({ create: [], update: [], archive: [] });
    expect(await auditAfter(seq)).toEqual([]);
    expect((await preset('return-old-payment')).preset).toMatchObject({
      protected: true,
      emergency: true,
      states: { payments_v2: { prod: { killSwitch: true } } },
    });
  });
});
