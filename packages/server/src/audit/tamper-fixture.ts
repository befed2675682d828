import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { type Database, openDatabase } from '../storage/database.js';
import {
  type DriverName,
  dropSchema,
  freshDatabaseUrl,
  startTestApp,
  type TestApp,
} from '../testing/test-app.js';
import { entryHash, fromRow } from './audit-entry.js';

/**
 * Test support for the audit e2e tests: a control plane on a database a second connection (and the CLI, in
 * another process) can open too — a temp file for SQLite, since `:memory:` is per connection — and the raw SQL
 * an attacker with database access would run.
 */
export interface AuditFixture {
  readonly t: TestApp;
  /** A second connection, behind the server's back. */
  readonly raw: Database;
  readonly url: string;
  close(): Promise<void>;
}

export async function startAuditFixture(driver: DriverName, dir: string): Promise<AuditFixture> {
  const url =
    driver === 'sqlite'
      ? `sqlite:${join(dir, `audit-${randomBytes(6).toString('hex')}.db`)}`
      : freshDatabaseUrl('postgres');
  const t = await startTestApp(driver, { url });
  const raw = await openDatabase(url);
  return {
    t,
    raw,
    url,
    async close() {
      await raw.close();
      await t.close();
      if (driver === 'postgres') await dropSchema(url);
    },
  };
}

/** Drops the append-only triggers of the log and its checkpoints, as someone with database access could. */
export async function dropAppendOnly(database: Database): Promise<void> {
  const statements =
    database.dialect === 'sqlite'
      ? [
          'audit_log_no_update',
          'audit_log_no_delete',
          'audit_checkpoints_no_update',
          'audit_checkpoints_no_delete',
        ].map((t) => `drop trigger ${t}`)
      : [
          'drop trigger audit_log_append_only on audit_log',
          'drop trigger audit_log_no_truncate on audit_log',
          'drop trigger audit_checkpoints_append_only on audit_checkpoints',
          'drop trigger audit_checkpoints_no_truncate on audit_checkpoints',
        ];
  for (const s of statements) await sql.raw(s).execute(database.db);
}

/**
 * Replaces entry `seq`'s `after`. `rehash` also recomputes its hash (only the next entry's link or a checkpoint
 * can tell); `rechain` then recomputes every later link and hash too (only a checkpoint can tell).
 */
export async function rewriteEntry(
  database: Database,
  seq: number,
  after: unknown,
  mode: 'plain' | 'rehash' | 'rechain',
): Promise<void> {
  const { db } = database;
  const row = await db.selectFrom('audit_log').selectAll().where('seq', '=', seq).executeTakeFirstOrThrow();
  const hash = mode === 'plain' ? row.hash : entryHash({ ...fromRow(row), after });
  await db
    .updateTable('audit_log')
    .set({ after: JSON.stringify(after), hash })
    .where('seq', '=', seq)
    .execute();
  if (mode !== 'rechain') return;
  let prevHash = hash;
  const later = await db.selectFrom('audit_log').selectAll().where('seq', '>', seq).orderBy('seq').execute();
  for (const next of later) {
    const rehashed = entryHash({ ...fromRow(next), prevHash });
    await db
      .updateTable('audit_log')
      .set({ prev_hash: prevHash, hash: rehashed })
      .where('seq', '=', Number(next.seq))
      .execute();
    prevHash = rehashed;
  }
}

const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

/** Runs the built CLI (`npx tsc -b packages/engine packages/server` first), as an independent process. */
export function pitboss(
  args: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
