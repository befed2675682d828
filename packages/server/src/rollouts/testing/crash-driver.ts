/**
 * The crash-safety test's child process (rollouts/crash-safety.e2e.test.ts): drives one scripted rollout on a
 * SQLite file with a file-backed router journal and a file-backed fake clock that advances per tick, until it
 * is settled. With PITBOSS_TEST_CRASH_AT=N it kills itself with SIGKILL at the N-th boundary between side
 * effects (the driver's `boundary` hook, which production never sets). Prints `{"boundaries":n,"phase":…}`.
 *
 * Usage: node dist/rollouts/testing/crash-driver.js <dir>   (dir holds pitboss.db, router.jsonl, clock.txt)
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApp } from '../../api/app.js';
import { SYSTEM } from '../../auth/roles.js';
import { openDatabase } from '../../storage/database.js';
import { rolloutStore } from '../rollout-store.js';
import { CRASH_FLAG, crashRollout, crashTemplate } from './crash-script.js';
import { JournalRouter } from './journal-router.js';
import { ScriptedProvider } from './scripted-provider.js';

const TICK_MS = 15_000;
const MAX_TICKS = 400;

const dir = process.argv[2];
if (dir === undefined) throw new Error('usage: crash-driver <dir>');
const crashAt = Number(process.env.PITBOSS_TEST_CRASH_AT ?? '0');
const clockFile = join(dir, 'clock.txt');
let now = existsSync(clockFile)
  ? Number(readFileSync(clockFile, 'utf8'))
  : Date.parse('2030-01-01T00:00:00Z');
let boundaries = 0;

const database = await openDatabase(`sqlite:${join(dir, 'pitboss.db')}`);
const pitboss = await buildApp({
  database,
  logger: false,
  rollouts: {
    router: new JournalRouter(join(dir, 'router.jsonl')),
    providers: () => new ScriptedProvider(ScriptedProvider.perVersion({ v1: 0.999, v2: 0.999 })),
    clock: () => new Date(now),
    leaseMs: 20_000,
    boundary: () => {
      boundaries++;
      if (boundaries === crashAt) process.kill(process.pid, 'SIGKILL');
    },
  },
});
const { flags, rollouts } = pitboss.services;
const ctx = { principal: SYSTEM };
if ((await flags.list()).every((f) => f.flag.key !== CRASH_FLAG.key)) await flags.create(ctx, CRASH_FLAG);
if ((await rollouts.list()).length === 0)
  await rollouts.start(ctx, { rollout: crashRollout(), templates: [crashTemplate()] });

// Until settled with nothing left to replay: a kill after the last commit leaves an outbox, which the next owner of
// the lease (once the dead process's lease expires) carries out.
let phase = (await rollouts.status('wallet')).phase;
const busy = async () =>
  (phase !== 'Healthy' && phase !== 'Aborted') || (await rolloutStore.get(database.db, 'wallet'))?.outbox;
for (let i = 0; i < MAX_TICKS && (await busy()); i++) {
  // The operator: promotes the pause step, unless a promote is already queued (a kill after it was accepted).
  const view = await rollouts.status('wallet');
  if (view.reason === 'PausedByStep' && view.pendingCommands.length === 0)
    await rollouts.command(ctx, 'wallet', { kind: 'promote', full: false });
  now += TICK_MS;
  writeFileSync(clockFile, String(now));
  await pitboss.services.rolloutDriver.tickOnce();
  phase = (await rollouts.status('wallet')).phase;
}
await pitboss.close();
process.stdout.write(`${JSON.stringify({ boundaries, phase })}\n`);
