import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScriptedProvider } from '../rollouts/testing/scripted-provider.js';
import { TestClock } from '../rollouts/testing/test-clock.js';
import { NopRouter } from '../routing/routers/nop.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';

// Runs the built CLI (`npx tsc -b packages/engine packages/server` first) against a real listening server.
const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const RUNBOOKS = fileURLToPath(new URL('../../../../docs/runbooks', import.meta.url));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const flagDoc = (key: string, fields: Record<string, unknown>) => ({
  kind: 'Flag',
  key,
  expiresAt: '2099-01-01T00:00:00Z',
  ...fields,
});

/** A rollout of the wallet; `gated` adds an analysis after each weight and the hard stops in the background. */
const wallet = (gated: boolean) => ({
  apiVersion: 'pitboss.dev/v1',
  kind: 'Rollout',
  metadata: { name: 'wallet-v2' },
  spec: {
    service: 'wallet',
    stable: { version: 'v1', upstreams: [] },
    canary: { version: 'v2', upstreams: [] },
    onProviderOutage: gated ? 'pause' : 'abort',
    strategy: {
      canary: gated
        ? {
            analysis: {
              startingStep: 0,
              templates: [{ templateName: 'chargeback-errors' }, { templateName: 'psp-success-collapse' }],
            },
            steps: [
              { setWeight: 5 },
              { analysis: { templates: [{ templateName: 'deposit-success-by-psp' }] } },
              { setWeight: 100 },
            ],
          }
        : { steps: [{ setWeight: 5 }, { pause: {} }, { setWeight: 100 }] },
    },
  },
});

describe('pitboss readiness', () => {
  let t: TestApp;
  let env: Record<string, string>;
  let empty: string;

  const readiness = (...args: string[]): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, 'readiness', ...args], { env: { ...process.env, ...env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b) => (stdout += b));
      child.stderr.on('data', (b) => (stderr += b));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  const admin = async (method: string, path: string, body?: unknown) => {
    const res = await t.call(method, path, {
      token: t.tokens.admin,
      ...(body === undefined ? {} : { body }),
    });
    expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
    return res.body;
  };
  const lines = (stdout: string) =>
    Object.fromEntries(
      stdout
        .split('\n')
        .map((l) => /^(PASS|FAIL|WARN) ([a-z-]+): /.exec(l))
        .filter((m) => m !== null)
        .map((m) => [m[2]!, m[1]!]),
    );

  beforeAll(async () => {
    // Signed checkpoints, so the fixed configuration passes every line (the key is read when the app is built).
    const { privateKey } = generateKeyPairSync('ed25519');
    process.env.PITBOSS_AUDIT_SIGNING_KEY = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    t = await startTestApp('sqlite', {
      rollouts: {
        router: new NopRouter(),
        providers: () => new ScriptedProvider(() => undefined),
        clock: new TestClock().now,
      },
    });
    delete process.env.PITBOSS_AUDIT_SIGNING_KEY;
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    env = { PITBOSS_URL: `http://127.0.0.1:${port}`, PITBOSS_TOKEN: t.tokens.admin };
    empty = mkdtempSync(join(tmpdir(), 'pitboss-readiness-'));
  });
  afterAll(async () => {
    await t.close();
    rmSync(empty, { recursive: true, force: true });
  });

  it('fails a configuration that misses the checklist, then passes once it is fixed', async () => {
    // What a team starting out has: prod open to hand edits, an ungated payments canary, flags without owners,
    // TTLs or protection, no presets, no decision logs, no runbooks.
    await admin('POST', '/api/v1/apply', {
      documents: [
        flagDoc('payments_v2', { tags: ['payments'], description: 'no owner' }),
        flagDoc('psp_b_routing', { owner: 'team-payments', tags: ['routing'] }),
        flagDoc('xmas_banner', { owner: 'team-lobby', expiresAt: '2020-01-01T00:00:00Z' }),
      ],
    });
    await admin('POST', '/api/v1/rollouts', wallet(false));

    const before = await readiness('--runbooks', empty);
    expect(before.stderr).toBe('');
    expect(before.code).toBe(1);
    expect(lines(before.stdout)).toEqual({
      'gitops-lock': 'FAIL',
      'slo-gates': 'FAIL',
      'hard-stops': 'FAIL',
      'provider-outage': 'WARN',
      'kill-switches': 'FAIL',
      'flag-owners': 'FAIL',
      'decision-logs': 'FAIL',
      'payment-flags-protected': 'FAIL',
      'flag-ttl': 'FAIL',
      'dead-flags': 'PASS',
      'emergency-presets': 'FAIL',
      runbooks: 'FAIL',
      'audit-chain': 'PASS',
      'audit-signed': 'PASS',
    });
    expect(before.stdout).toContain(
      'FAIL slo-gates: weights grow without an SLO gate: wallet-v2: setWeight 5 (step 0)',
    );
    expect(before.stdout).toContain('FAIL flag-owners: 1 flag(s) without an owner: payments_v2');
    expect(before.stdout).toContain('psp_b_routing (its key)');
    expect(before.stdout).toMatch(
      /FAIL flag-ttl: 1 flag\(s\) past their TTL: xmas_banner \(\d+ days overdue\)/,
    );
    expect(before.stdout).toMatch(/\n14 checks: 3 passed, 10 failed, 1 warning\(s\)\.\n$/);

    // The fixes, through the API as a team would make them.
    await admin('POST', '/api/v1/apply', {
      prune: true, // archives xmas_banner, past its TTL
      documents: [
        { kind: 'Environment', key: 'prod', gitopsLocked: true },
        flagDoc('payments_v2', { owner: 'team-payments', tags: ['payments'] }),
        flagDoc('psp_b_routing', { owner: 'team-payments', tags: ['routing'], protected: true }),
        flagDoc('psp_b', { flagKind: 'ops', owner: 'team-payments', tags: ['payments'] }),
        {
          kind: 'Preset',
          key: 'return-old-payment',
          emergency: true,
          states: { payments_v2: { prod: { killSwitch: true } }, psp_b: { prod: { killSwitch: true } } },
        },
      ],
    });
    await admin('POST', '/api/v1/rollouts/wallet-v2/abort', { reason: 'ungated' });
    await admin('POST', '/api/v1/rollouts', wallet(true));
    const posted = await t.call('POST', '/sdk/v1/decisions', {
      token: t.tokens.sdkProd,
      body: {
        environment: 'prod',
        decisions: [
          {
            flag: 'payments_v2',
            variant: 'on',
            reason: 'SPLIT',
            traceId: 'ab12',
            at: new Date().toISOString(),
          },
        ],
      },
    });
    expect(posted.status).toBe(202);

    const after = await readiness('--runbooks', RUNBOOKS);
    expect(after.stderr).toBe('');
    expect(after.code).toBe(0);
    expect(Object.values(lines(after.stdout))).toEqual(Array(14).fill('PASS'));
    expect(after.stdout).toContain('PASS hard-stops: payments rollouts have hard stops: wallet-v2');
    expect(after.stdout).toContain(
      'PASS emergency-presets: emergency preset(s) for payments in prod: return-old-payment',
    );

    const json = await readiness('--runbooks', RUNBOOKS, '--format', 'json');
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, environment: 'prod', counts: { PASS: 14 } });
  });

  it('needs no more than a viewer token, the audit verification included, and exits 2 without a server', async () => {
    const viewer = await readiness('--runbooks', RUNBOOKS, '--token', t.tokens.viewer);
    expect(viewer.stdout).toMatch(/^PASS audit-chain: /m);
    expect(viewer.stdout).not.toMatch(/could not/);
    expect(viewer.code).toBe(0);
    const down = await readiness('--url', 'http://127.0.0.1:9', '--token', 'pb_api_x');
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/^pitboss: cannot reach http:\/\/127\.0\.0\.1:9/);
  });
});
