import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ScriptedProvider } from '../rollouts/testing/scripted-provider.js';
import { TestClock } from '../rollouts/testing/test-clock.js';
import { NopRouter } from '../routing/routers/nop.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';
import { runbookBlocks, trackScript, tracksOf } from './testing/runbook-blocks.js';

// Runs the shell blocks of docs/runbooks/*.md for real — the built CLI (`npx tsc -b packages/engine
// packages/server` first), curl and jq — against a listening control plane in the demo's state: its flags and
// presets, prod GitOps-locked, the release wallet-v2 under way. Each track of a runbook gets a fresh server.
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const DOCS = join(ROOT, 'docs/runbooks');
const BIN = join(ROOT, 'packages/server/dist/cli/main.js');

interface Scenario {
  /** Brings the fresh control plane to where the runbook starts, beyond the demo's state. */
  readonly prepare?: (t: TestApp) => Promise<void>;
  /** Tracks during which the rollout driver runs (time moves 5 s per tick), so `watch` sees a rollout end. */
  readonly ticking?: readonly string[];
  /** What must be true once the track's commands have run. */
  readonly check: (t: TestApp, track: string) => Promise<void>;
}

const SCENARIOS: Record<string, Scenario> = {
  'roll-back-a-release.md': {
    async check(t) {
      const status = await read(t, '/api/v1/rollouts/wallet-v2');
      expect(status).toMatchObject({ phase: 'Aborted', route: { weight: 0 }, routeConfirmed: true });
      const history = await read(t, '/api/v1/rollouts/wallet-v2/history');
      expect(history.entries.map((e: { event: string }) => e.event)).toContain('RolledBack');
      expect((await read(t, '/api/v1/flags/payments_v2')).flag.environments.prod.killSwitch).toBe(true);
    },
  },
  'turn-a-flag-off.md': {
    async check(t) {
      const flag = await read(t, '/api/v1/flags/payments_v2');
      expect(flag.flag.environments.prod.killSwitch).toBe(false);
      const audit = await read(t, '/api/v1/audit?resource=flag:payments_v2&limit=1000');
      const actions = audit.entries.map((e: { action: string }) => e.action);
      expect(actions.filter((a: string) => a === 'flag.kill_switch')).toHaveLength(2);
      const { changeRequests } = await read(t, '/api/v1/change-requests?status=applied');
      expect(changeRequests).toMatchObject([{ kind: 'flag.kill_switch', target: 'flag:payments_v2' }]);
      expect(changeRequests[0].approvals).toHaveLength(1);
    },
  },
  'switch-psp-with-preset.md': {
    async check(t) {
      const flags = await read(t, '/api/v1/flags');
      const prod = (key: string) =>
        flags.flags.find((f: { flag: { key: string } }) => f.flag.key === key).flag.environments.prod
          .killSwitch;
      expect([prod('psp_a'), prod('psp_b'), prod('psp_c')]).toEqual([false, false, false]);
      expect(prod('payments_v2')).toBe(true);
      const audit = await read(t, '/api/v1/audit?resource=flag:psp_b&limit=1000');
      expect(audit.entries.map((e: { action: string }) => [e.action, e.reason])).toEqual([
        ['flag.create', 'pitboss apply'],
        ['flag.apply_states', 'PSP B timing out on deposits (their incident INC-4711)'],
        ['flag.kill_switch', 'PSP B healthy again (INC-4711 closed)'],
        ['flag.kill_switch', 'PSP B healthy again (INC-4711 closed)'],
      ]);
      const presets = await read(t, '/api/v1/audit?resource=preset:return-old-payment&limit=1000');
      expect(presets.entries.map((e: { action: string }) => e.action)).toEqual([
        'preset.create',
        'preset.apply',
      ]);
    },
  },
  'hotfix-fast-canary.md': {
    async prepare(t) {
      await call(t, 'POST', '/api/v1/rollouts/wallet-v2/promote', { full: true });
      expect((await read(t, '/api/v1/rollouts/wallet-v2')).phase).toBe('Healthy');
    },
    ticking: ['watch'],
    async check(t) {
      const status = await read(t, '/api/v1/rollouts/wallet-hotfix');
      expect(status).toMatchObject({ phase: 'Healthy', stableVersion: 'v2', canaryVersion: 'v2.0.1' });
      expect(status.route.weight).toBe(100);
    },
  },
};

const read = (t: TestApp, path: string) => call(t, 'GET', path);

async function call(t: TestApp, method: string, path: string, body?: unknown) {
  const res = await t.call(method, path, { token: t.tokens.admin, ...(body === undefined ? {} : { body }) });
  expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
  return res.body;
}

/**
 * The state `npm start` leaves (packages/server/src/demo/release-script.ts): the flag payments_v2 (release, tagged
 * payments, so protected) and the release wallet-v2 under way — here the example file, the same steps. The flag
 * is written with `apply` (creating a protected flag through the flag API is a change request). Prod is
 * GitOps-locked on top, as `pitboss readiness` asks: the runbooks must work through the lock.
 */
async function demoState(t: TestApp): Promise<void> {
  await call(t, 'POST', '/api/v1/apply', {
    documents: [
      {
        kind: 'Flag',
        key: 'payments_v2',
        flagKind: 'release',
        owner: 'team-payments',
        tags: ['payments'],
        stickiness: 'playerId',
        rules: [
          { if: "market in ['DE','SE']", rollout: 0.25 },
          { if: "brand == 'X' && user.isEmployee", rollout: 1 },
        ],
      },
      { kind: 'Environment', key: 'prod', gitopsLocked: true },
    ],
  });
  const rollout = parse(readFileSync(join(ROOT, 'examples/rollouts/wallet-v2.yaml'), 'utf8'));
  await call(t, 'POST', '/api/v1/rollouts', rollout);
}

/** A healthy new version: deposits succeed, p95 well under the gates; other queries have no data. */
const healthy = new ScriptedProvider((q) =>
  q.query.startsWith('success_ratio') ? 0.999 : q.query.startsWith('latency_p95') ? 150 : undefined,
);

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function bash(script: string, cwd: string, env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the runbooks run as written', () => {
  let t: TestApp | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    t = undefined;
    dir = undefined;
  });

  it('has the tools the runbooks use: bash, curl, jq', async () => {
    const run = await bash(
      'for t in curl jq; do command -v $t >/dev/null || echo "missing $t"; done',
      ROOT,
      {},
    );
    expect(run.stdout, 'install them (Debian: apt-get install curl jq)').toBe('');
  });

  it('covers every runbook in docs/runbooks', () => {
    expect(
      readdirSync(DOCS)
        .filter((f) => f.endsWith('.md'))
        .sort(),
    ).toEqual(Object.keys(SCENARIOS).sort());
  });

  const cases = Object.entries(SCENARIOS).flatMap(([file, scenario]) =>
    tracksOf(runbookBlocks(readFileSync(join(DOCS, file), 'utf8'))).map((track) => ({
      file,
      track,
      scenario,
    })),
  );

  it.each(cases)('$file ($track)', async ({ file, track, scenario }) => {
    dir = mkdtempSync(join(tmpdir(), 'pitboss-runbook-'));
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'pitboss'), `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
    chmodSync(join(bin, 'pitboss'), 0o755);
    mkdirSync(join(dir, 'data'));
    const clock = new TestClock();
    t = await startTestApp('sqlite', {
      url: `sqlite:${join(dir, 'data/pitboss.db')}`,
      rollouts: {
        router: new NopRouter(),
        providers: () => healthy,
        clock: clock.now,
        notifier: { notify: async () => {} },
        watchPollMs: 100,
      },
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    await demoState(t);
    await scenario.prepare?.(t);

    const blocks = runbookBlocks(readFileSync(join(DOCS, file), 'utf8'));
    for (const b of blocks) {
      if (b.kind !== 'file') continue;
      mkdirSync(dirname(join(dir, b.path)), { recursive: true });
      writeFileSync(join(dir, b.path), b.content);
    }
    const app = t;
    let ticking = scenario.ticking?.includes(track) === true;
    const ticker = (async () => {
      while (ticking) {
        clock.advance(5000);
        await app.services.rolloutDriver.tickOnce();
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const run = await bash(trackScript(blocks, track), dir, {
      PATH: `${bin}:${process.env.PATH}`,
      PITBOSS_URL: `http://127.0.0.1:${port}`,
      PITBOSS_TOKEN: t.tokens.admin,
      APPROVER_TOKEN: t.tokens.approver,
    });
    ticking = false;
    await ticker;
    expect(run.code, `${file} (${track}) failed:\n${run.stderr}\n${run.stdout}`).toBe(0);
    expect(run.stderr).not.toMatch(/^\s+at /m);
    await scenario.check(t, track);
  });
});
