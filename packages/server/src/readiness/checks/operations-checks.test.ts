import { describe, expect, it } from 'vitest';
import { formatLine } from '../check.js';
import { runChecks } from '../run-checks.js';
import { flag, readyData } from '../testing/fixtures.js';
import { auditChain, auditSigned, emergencyPresets, gitopsLock, runbooks } from './operations-checks.js';

describe('gitopsLock', () => {
  it('passes a locked prod, fails an unlocked or missing one', () => {
    expect(gitopsLock(readyData()).status).toBe('PASS');
    const open = gitopsLock(readyData({ environments: [{ key: 'prod', gitopsLocked: false }] }));
    expect(formatLine(open)).toMatch(/^FAIL gitops-lock: prod is not GitOps-locked/);
    const missing = gitopsLock(readyData({ environments: [{ key: 'live', gitopsLocked: true }] }));
    expect(missing.reason).toContain("there is no 'prod' environment (have live)");
  });
});

describe('emergencyPresets', () => {
  const preset = (key: string, emergency: boolean, states: object, archived = false) => ({
    archived,
    preset: { key, protected: true, emergency, states: states as never },
  });

  it('needs an emergency preset that changes a payments flag in prod', () => {
    expect(emergencyPresets(readyData()).status).toBe('PASS');
    const calm = preset('calm', false, { payments_v2: { prod: { killSwitch: true } } });
    const dev = preset('dev-only', true, { payments_v2: { dev: { killSwitch: true } } });
    const gone = preset('gone', true, { payments_v2: { prod: { killSwitch: true } } }, true);
    for (const presets of [[], [calm], [dev], [gone]]) {
      expect(emergencyPresets(readyData({ presets: { ok: true, value: presets } })).status).toBe('FAIL');
    }
    expect(emergencyPresets(readyData({ presets: { ok: true, value: [calm] } })).reason).toContain(
      'no preset is emergency: true (calm)',
    );
  });

  it('recognises a PSP flag by its key even when the preset names a flag the checks do not know', () => {
    const psp = preset('psp-b-out', true, { psp_b: { prod: { killSwitch: true } } });
    const data = readyData({
      presets: { ok: true, value: [psp] },
      flags: [flag('payments_v2', { tags: ['payments'] })],
    });
    expect(emergencyPresets(data).status).toBe('PASS');
  });
});

describe('runbooks', () => {
  it('needs a runbook for each topic, found by file name or title', () => {
    expect(runbooks(readyData())).toMatchObject({ status: 'PASS' });
    const files = [
      { name: 'incident-1.md', title: 'Rolling back a release' },
      { name: 'kill.md', title: 'Kill switches' },
    ];
    const r = runbooks(readyData({ runbooks: { dir: 'ops', exists: true, files } }));
    expect(formatLine(r)).toBe('FAIL runbooks: ops has no runbook to switch a PSP');
    const none = runbooks(readyData({ runbooks: { dir: 'docs/runbooks', exists: false, files: [] } }));
    expect(none.reason).toMatch(/^no runbooks in docs\/runbooks/);
  });
});

describe('audit checks', () => {
  it('fails a broken chain with the entry, warns when it cannot be verified or is unsigned', () => {
    expect(auditChain(readyData()).reason).toBe('42 entries, chain intact, 0 checkpoint(s) verified');
    const broken = readyData({
      audit: {
        ok: true,
        value: {
          ok: false,
          checked: 41,
          checkpoints: 0,
          firstBroken: { seq: 42, problem: 'hash', message: 'edited' },
        },
      },
    });
    expect(formatLine(auditChain(broken))).toBe(
      'FAIL audit-chain: the audit log is broken at seq 42: hash: edited',
    );
    expect(auditChain(readyData({ audit: { ok: false, error: 'FORBIDDEN: admin' } })).status).toBe('WARN');
    expect(auditSigned(readyData({ auditSigned: { ok: true, value: false } })).status).toBe('WARN');
  });
});

describe('runChecks', () => {
  it('passes the ready fixture and fails the report as soon as one check fails', () => {
    const ok = runChecks(readyData());
    expect(ok.checks.map((c) => `${c.status} ${c.id}`)).toEqual([
      'PASS gitops-lock',
      'PASS slo-gates',
      'PASS hard-stops',
      'PASS provider-outage',
      'PASS kill-switches',
      'PASS flag-owners',
      'PASS decision-logs',
      'PASS payment-flags-protected',
      'PASS flag-ttl',
      'PASS dead-flags',
      'PASS emergency-presets',
      'PASS runbooks',
      'PASS audit-chain',
      'PASS audit-signed',
    ]);
    expect(ok).toMatchObject({ ok: true, counts: { PASS: 14, FAIL: 0, WARN: 0 } });
    const bad = runChecks(readyData({ environments: [{ key: 'prod', gitopsLocked: false }] }));
    expect(bad).toMatchObject({ ok: false, counts: { FAIL: 1 } });
    const warned = runChecks(readyData({ auditSigned: { ok: true, value: false } }));
    expect(warned.ok).toBe(true);
  });
});
