import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { fromRow } from '../audit/audit-entry.js';
import { verifyAudit } from '../audit/audit-verify.js';
import { openDatabase } from '../storage/database.js';
import { CRASH_WEIGHTS } from './testing/crash-script.js';
import { liveRoute, readJournal } from './testing/journal-router.js';

// Runs the built child (`npx tsc -b packages/engine packages/server` first), as the CLI end-to-end tests do.
const CHILD = fileURLToPath(new URL('../../dist/rollouts/testing/crash-driver.js', import.meta.url));

/** The transitions that move a rollout to its next step: each must be committed exactly once. */
const ADVANCES = ['rollout.StepCompleted', 'rollout.AnalysisSucceeded', 'rollout.Promoted'];

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly out: { boundaries: number; phase: string } | undefined;
  readonly stderr: string;
}

function drive(dir: string, crashAt?: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, PITBOSS_TEST_CRASH_AT: String(crashAt ?? 0) };
    const child = spawn(process.execPath, [CHILD, dir], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const line = stdout.trim().split('\n').at(-1);
      resolve({ code, signal, out: line ? JSON.parse(line) : undefined, stderr });
    });
  });
}

/** What a finished run left: the rollout's audit entries, the chain's verdict, the router's journal. */
async function inspect(dir: string) {
  const database = await openDatabase(`sqlite:${join(dir, 'pitboss.db')}`);
  try {
    const rows = await database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('resource', '=', 'rollout:wallet')
      .orderBy('seq')
      .execute();
    const state = await database.db
      .selectFrom('rollouts')
      .select(['phase', 'outbox'])
      .executeTakeFirstOrThrow();
    const flag = await database.db
      .selectFrom('flags')
      .select('doc')
      .where('key', '=', 'new_cashier')
      .executeTakeFirstOrThrow();
    return {
      entries: rows.map(fromRow),
      verified: await verifyAudit(database.db),
      state,
      flag: JSON.parse(flag.doc) as { environments: Record<string, { rules: unknown[] }> },
      journal: readJournal(join(dir, 'router.jsonl')),
    };
  } finally {
    await database.close();
  }
}

/** Kills the driver with SIGKILL at every boundary between side effects of a scripted rollout, then restarts it. */
describe('crash safety: kill -9 between every pair of side effects', () => {
  const dirs: string[] = [];
  const fresh = () => {
    const dir = mkdtempSync(join(tmpdir(), 'pitboss-crash-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('ends Healthy with each step once, an intact audit chain and a router never ahead of the step', async () => {
    const clean = await drive(fresh());
    expect(clean.stderr).toBe('');
    expect(clean.out?.phase).toBe('Healthy');
    const total = clean.out!.boundaries;
    expect(total).toBeGreaterThan(20);
    const reference = await inspect(dirs[0]!);
    const steps = (entries: typeof reference.entries) =>
      entries
        .filter((e) => ADVANCES.includes(e.action))
        .map((e) => `${e.action.slice('rollout.'.length)}@${(e.after as { stepIndex: number }).stepIndex}`);
    const expectedSteps = steps(reference.entries);
    expect(expectedSteps).toContain('Promoted@4');

    const failures: string[] = [];
    for (let n = 1; n <= total; n++) {
      const dir = fresh();
      const crashed = await drive(dir, n);
      if (crashed.signal !== 'SIGKILL') failures.push(`crash at ${n}: not killed (${crashed.code})`);
      const resumed = await drive(dir);
      if (resumed.out?.phase !== 'Healthy')
        failures.push(`crash at ${n}: ended ${resumed.out?.phase} ${resumed.stderr}`);
      const r = await inspect(dir);
      if (!r.verified.ok) failures.push(`crash at ${n}: audit chain broken`);
      const done = steps(r.entries);
      if (JSON.stringify(done) !== JSON.stringify(expectedSteps))
        failures.push(
          `crash at ${n}: steps completed ${done.join(',')} instead of ${expectedSteps.join(',')}`,
        );
      if (r.entries.filter((e) => e.action === 'rollout.Completed').length !== 1)
        failures.push(`crash at ${n}: Completed not exactly once`);
      for (const e of r.entries.filter(
        (e) => e.action !== 'rollout.start' && e.action !== 'rollout.action_failed',
      )) {
        const after = e.after as { version?: string; rollout_step?: number };
        if (after.version !== 'v2' || typeof after.rollout_step !== 'number')
          failures.push(`crash at ${n}: ${e.action} lacks version or rollout_step`);
      }
      const live = liveRoute(r.journal);
      if (live.weight !== 100) failures.push(`crash at ${n}: router left at weight ${live.weight}`);
      const weights = r.journal.flatMap((e) => (e.op === 'setWeight' ? [e.weight] : []));
      const allowed = new Set<number>([0, ...CRASH_WEIGHTS]);
      for (const [i, w] of weights.entries()) {
        if (!allowed.has(w)) failures.push(`crash at ${n}: router told weight ${w}`);
        // Never ahead of the step being applied: weights only grow (a repeat is a replay, never a skip back).
        if (i > 0 && w < weights[i - 1]!)
          failures.push(`crash at ${n}: weight went back ${weights[i - 1]} → ${w}`);
      }
      if (r.state.outbox !== null) failures.push(`crash at ${n}: outbox left behind`);
      if (JSON.stringify(r.flag.environments.prod?.rules) !== JSON.stringify([{ rollout: 0.5 }]))
        failures.push(`crash at ${n}: flag rules ${JSON.stringify(r.flag.environments.prod?.rules)}`);
    }
    expect(failures).toEqual([]);
  }, 600_000);
});
