import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAudit } from '../audit/audit-verify.js';
import { openDatabase } from '../storage/database.js';
import { LEDGER_FILE } from './platform/ledger.js';
import { checkLedger } from './platform/ledger-check.js';
import type { LedgerVerification } from './traffic/index.js';

/**
 * Issue 7's proof: the built `pitboss demo` (what `npm start` runs) in compressed time, as a user would run it
 * — the control plane, the gateway and ten platform processes, players through the gateway, the scripted wallet
 * release — once with a v2 that fails PSP B deposits (rolled back, the PSP named) and once with a healthy v2
 * (promoted to 100 %), on the same data directory. Nothing here depends on timing: each run has a generous
 * deadline and the assertions read what the demo recorded, the control plane's database and the wallet's
 * ledger afterwards.
 *
 * Compression: psp-failure at ×5 (each analysis step 60 s) so that PSP B's canary deposits reach a confident
 * verdict within the 25 % step, or else the 50 % one, even on a loaded machine; healthy at ×30 (10 s steps).
 * Payments-only journeys keep deposits dense without the bets' load. The gates are the shipped templates.
 */

const BIN = fileURLToPath(new URL('../../bin/pitboss.js', import.meta.url));
const RUN_DEADLINE_MS = 170_000;

interface Summary {
  readonly releases: {
    scenario: string;
    name: string;
    revision: number;
    phase: string;
    reason: string;
    message: string;
    weight: number;
    matched: boolean;
    ledger: LedgerVerification;
    audit: { ok: boolean; checked: number };
  }[];
  readonly pids: { name: string; pid: number }[];
}

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pitboss-demo-e2e-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * Runs `pitboss demo` to its end (SIGINT, then SIGKILL, past the deadline); `interrupt` sends SIGINT (Ctrl-C)
 * as soon as the output matches it.
 */
function demo(args: readonly string[], interrupt?: RegExp): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const proc = spawn(
      process.execPath,
      [BIN, 'demo', '--data', dir, '--port', '0', '--gateway-port', '0', ...args],
      { cwd: dir, env: { ...process.env, PITBOSS_ADMIN_TOKEN: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let interrupted = false;
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (interrupt && !interrupted && interrupt.test(out)) {
        interrupted = true;
        proc.kill('SIGINT');
      }
    });
    proc.stderr.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    const timer = setTimeout(() => {
      out += `\n[test] deadline of ${RUN_DEADLINE_MS} ms passed: SIGINT\n`;
      proc.kill('SIGINT');
      setTimeout(() => proc.kill('SIGKILL'), 30_000).unref();
    }, RUN_DEADLINE_MS);
    proc.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

async function summary(): Promise<Summary> {
  return JSON.parse(await readFile(join(dir, 'demo', 'summary.json'), 'utf8')) as Summary;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function expectLedgerSound(ledger: LedgerVerification): void {
  expect(ledger.problems).toEqual([]);
  expect(ledger.ok).toBe(true);
  expect(ledger.wallet.balanced).toBe(true);
  expect(ledger.deposits.confirmed).toBeGreaterThan(100);
  expect(ledger.deposits.inLedger).toBe(ledger.deposits.confirmed);
  expect(ledger.deposits.lost).toEqual([]);
  expect(ledger.deposits.duplicated).toEqual([]);
  expect(ledger.deposits.phantom).toEqual([]);
  expect(ledger.withdrawals.lost).toEqual([]);
  expect(ledger.withdrawals.duplicated).toEqual([]);
}

/** The audit log of the control plane's database, checked here rather than trusted from the demo's output. */
async function auditOf(): Promise<{
  ok: boolean;
  events: string[];
  flag: { action: string; actor: string }[];
}> {
  const database = await openDatabase(`sqlite:${join(dir, 'pitboss.db')}`);
  try {
    const verification = await verifyAudit(database.db);
    const rows = (resource: string) =>
      database.db
        .selectFrom('audit_log')
        .select(['action', 'actor'])
        .where('resource', '=', resource)
        .orderBy('seq')
        .execute();
    const events = (await rows('rollout:wallet-v2')).map((r) => r.action);
    return { ok: verification.ok, events, flag: await rows('flag:payments_v2') };
  } finally {
    await database.close();
  }
}

describe('pitboss demo, compressed', () => {
  it(
    'psp-failure: wallet v2 rolled back with psp=B in the reason; no deposit lost or duplicated; the audit log verifies',
    async () => {
      const run = await demo([
        '--once',
        '--scenario',
        'psp-failure',
        '--speed',
        '5',
        '--journeys',
        'payments',
        '--rate',
        '24',
      ]);
      expect(run.code, run.out).toBe(0);
      const s = await summary();
      expect(s.releases).toHaveLength(1);
      const [release] = s.releases;
      expect(release).toMatchObject({
        scenario: 'psp-failure',
        name: 'wallet-v2',
        revision: 1,
        phase: 'Aborted',
        reason: 'AnalysisFailed',
        weight: 0,
        matched: true,
      });
      expect(release!.message).toContain('deposit-success-by-psp');
      expect(release!.message).toContain('psp=B');
      expect(run.out).toMatch(/✓ wallet-v2 \(psp-failure\): Aborted — rolled back: .*psp=B/);
      // The flag the release had moved to 25 % went back with the routing.
      expect(run.out).toContain(
        'payments_v2 back to 0 % in prod (undone by the controller with the rollback)',
      );
      expectLedgerSound(release!.ledger);
      expect(release!.audit.ok).toBe(true);

      // Checked again from the files the demo leaves behind: the wallet's ledger and the control plane's audit log.
      const ledger = new SqliteDatabase(join(dir, 'demo', LEDGER_FILE), { readonly: true });
      try {
        const check = checkLedger(ledger);
        expect(check.balanced).toBe(true);
        expect(check.duplicateKeys).toBe(0);
        expect(check.negativeBalances).toBe(0);
      } finally {
        ledger.close();
      }
      const audit = await auditOf();
      expect(audit.ok).toBe(true);
      expect(audit.events).toContain('rollout.AnalysisFailed');
      expect(audit.events).toContain('rollout.RolledBack');
      expect(audit.events).not.toContain('rollout.Completed');
      // Nothing the demo started outlives it.
      expect(s.pids.length).toBeGreaterThanOrEqual(12);
      expect(s.pids.filter((p) => alive(p.pid))).toEqual([]);
    },
    RUN_DEADLINE_MS + 40_000,
  );

  it(
    'healthy: a new revision of wallet v2 reaches Healthy at 100 %, on the same data directory',
    async () => {
      const run = await demo([
        '--once',
        '--scenario',
        'healthy',
        '--speed',
        '30',
        '--journeys',
        'payments',
        '--rate',
        '4',
      ]);
      expect(run.code, run.out).toBe(0);
      const s = await summary();
      const [release] = s.releases;
      expect(release).toMatchObject({
        scenario: 'healthy',
        name: 'wallet-v2',
        revision: 2,
        phase: 'Healthy',
        weight: 100,
        matched: true,
      });
      expectLedgerSound(release!.ledger);
      const audit = await auditOf();
      expect(audit.ok).toBe(true);
      expect(audit.events).toContain('rollout.Completed');
      // The protected payments_v2 flag: created through a change request approved by a second person, moved to
      // 25 % by the controller with the release, put back to 0 % by the controller with the first release's rollback.
      const actions = audit.flag.map((e) => e.action);
      expect(actions[0]).toBe('flag.create');
      expect(actions.filter((a) => a === 'flag.apply_states').length).toBeGreaterThanOrEqual(1);
      expect(audit.flag.some((e) => e.action === 'flag.apply_states' && e.actor.includes('controller'))).toBe(
        true,
      );
      expect(s.pids.filter((p) => alive(p.pid))).toEqual([]);
    },
    RUN_DEADLINE_MS + 40_000,
  );

  it(
    'Ctrl-C mid-release: the release is aborted, every process stops, the exit is clean',
    async () => {
      const run = await demo(
        ['--scenario', 'healthy', '--speed', '30', '--rate', '1'],
        /▶ Release wallet-v2/,
      );
      expect(run.code, run.out).toBe(0);
      expect(run.out).toContain('Stopping …');
      // Nothing of this run is left: no process names its data directory any more.
      const ps = await new Promise<string>((resolve) => {
        const p = spawn('ps', ['-eo', 'pid,args'], { stdio: ['ignore', 'pipe', 'ignore'] });
        let text = '';
        p.stdout.on('data', (c: Buffer) => {
          text += c.toString();
        });
        p.once('close', () => resolve(text));
      });
      expect(ps.split('\n').filter((line) => line.includes(dir))).toEqual([]);
      // The release it interrupted is settled, so the next run can start a new revision at once.
      const audit = await auditOf();
      expect(audit.ok).toBe(true);
      expect(audit.events.at(-1)).toMatch(/^rollout\.(Aborted|RolledBack)$/);
    },
    RUN_DEADLINE_MS,
  );
});
