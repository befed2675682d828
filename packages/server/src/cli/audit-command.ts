import { readFile } from 'node:fs/promises';
import { parseIsoTime } from '@pitboss/engine';
import { type Command, Option } from 'commander';
import { checkpointNow } from '../audit/audit-checkpoints.js';
import { parseRow } from '../audit/audit-entry.js';
import { proveConsistency } from '../audit/audit-proofs.js';
import { auditRows } from '../audit/audit-reader.js';
import { verifyAudit } from '../audit/audit-verify.js';
import { loadPublicKey, signerFromEnv } from '../audit/checkpoint-signer.js';
import { verifyConsistency } from '../audit/merkle.js';
import { type Database, openDatabase } from '../storage/database.js';
import { CliError } from './cli-error.js';
import { BatchWriter, writeOut } from './output.js';

const DATABASE = ['--database <url>', 'sqlite:<path> or postgres://user@host/db[?schema=name]'] as const;

interface LogOptions {
  readonly database: string;
  readonly resource?: string;
  readonly actor?: string;
  readonly since?: string;
  readonly until?: string;
  readonly format: 'jsonl' | 'text';
}

/**
 * `pitboss audit verify|log|checkpoint|prove`: reads the database directly, so the check needs no running
 * server and trusts none (docs/audit.md). Exit 1 when the log is broken or a proof fails.
 */
export function registerAuditCommand(program: Command): void {
  const audit = program
    .command('audit')
    .description('verify, export and checkpoint the tamper-evident audit log');
  audit
    .command('verify')
    .description('recompute every hash, link and checkpoint; exit 1 naming the first broken entry')
    .requiredOption(...DATABASE)
    .option('--public-key <file>', 'Ed25519 public key (PEM) whose checkpoint signatures must verify')
    .action((opts: { database: string; publicKey?: string }) =>
      withDatabase(opts.database, (d) => verify(d, opts)),
    );
  audit
    .command('log')
    .description('export entries oldest first as JSON Lines (for SIEM and WORM archives) or text')
    .requiredOption(...DATABASE)
    .option('--resource <resource>', 'only this resource, like flag:payments_v2')
    .option('--actor <name>', 'only actors whose name or token id contains this')
    .option('--since <time>', 'only entries at or after this ISO 8601 time')
    .option('--until <time>', 'only entries before this ISO 8601 time')
    .addOption(new Option('--format <format>', 'output format').choices(['jsonl', 'text']).default('jsonl'))
    .action((opts: LogOptions) => withDatabase(opts.database, (d) => exportLog(d, opts)));
  audit
    .command('checkpoint')
    .description('take a Merkle checkpoint of the whole log now and print it as JSON (save it for `prove`)')
    .requiredOption(...DATABASE)
    .action((opts: { database: string }) => withDatabase(opts.database, checkpoint));
  audit
    .command('prove')
    .description('prove the latest checkpoint extends one saved earlier: nothing it covered was rewritten')
    .requiredOption(...DATABASE)
    .requiredOption('--from-checkpoint <file>', 'a checkpoint saved earlier (JSON with size and rootHash)')
    .action((opts: { database: string; fromCheckpoint: string }) =>
      withDatabase(opts.database, (d) => prove(d, opts.fromCheckpoint)),
    );
}

async function withDatabase(url: string, fn: (database: Database) => Promise<number>): Promise<void> {
  const database = await openDatabase(url);
  try {
    process.exitCode = await fn(database);
  } finally {
    await database.close();
  }
}

async function verify(database: Database, opts: { publicKey?: string }): Promise<number> {
  const publicKey = opts.publicKey === undefined ? undefined : loadPublicKey(await readText(opts.publicKey));
  const result = await verifyAudit(database.db, publicKey === undefined ? {} : { publicKey });
  if (result.firstBroken !== undefined) {
    const { seq, problem, message } = result.firstBroken;
    await writeOut(`broken at seq ${seq}: ${problem}: ${message}\n`);
    return 1;
  }
  await writeOut(`ok: ${result.checked} entries, chain intact, ${result.checkpoints} checkpoints\n`);
  return 0;
}

async function exportLog(database: Database, opts: LogOptions): Promise<number> {
  for (const [name, value] of [
    ['--since', opts.since],
    ['--until', opts.until],
  ] as const) {
    if (value !== undefined && parseIsoTime(value) === undefined) {
      throw new CliError(`${name} must be an ISO 8601 time, not '${value}'`);
    }
  }
  const out = new BatchWriter();
  let corrupt = 0;
  const filter = {
    ...(opts.resource ? { resource: opts.resource } : {}),
    ...(opts.actor ? { actor: opts.actor } : {}),
    ...(opts.since ? { since: opts.since } : {}),
    ...(opts.until ? { until: opts.until } : {}),
  };
  for await (const row of auditRows(database.db, filter)) {
    const parsed = parseRow(row);
    if ('error' in parsed) {
      // An archive must not silently skip an entry: export it as stored, and say so.
      process.stderr.write(`pitboss: entry ${row.seq} is corrupt (${parsed.error}); exported as stored\n`);
      corrupt++;
    }
    const entry = 'entry' in parsed ? parsed.entry : { ...row, seq: Number(row.seq) };
    out.line(
      opts.format === 'jsonl'
        ? JSON.stringify(entry)
        : `${entry.seq} ${row.at} ${row.actor} ${row.action} ${row.resource}${row.reason ? ` — ${row.reason}` : ''}`,
    );
    if (out.full) await out.flush();
  }
  await out.flush();
  return corrupt > 0 ? 1 : 0;
}

async function checkpoint(database: Database): Promise<number> {
  const signer = signerFromEnv();
  const outcome = await database.write((tx) => checkpointNow(tx, new Date(), signer));
  if ('broken' in outcome) {
    const { seq, problem, message } = outcome.broken;
    throw new CliError(`no checkpoint taken: broken at seq ${seq}: ${problem}: ${message}`, 1);
  }
  await writeOut(`${JSON.stringify(outcome.checkpoint)}\n`);
  return 0;
}

async function prove(database: Database, file: string): Promise<number> {
  const saved = parseCheckpoint(await readText(file), file);
  const latest = await database.db
    .selectFrom('audit_checkpoints')
    .selectAll()
    .orderBy('size', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (latest === undefined || Number(latest.size) < saved.size) {
    await writeOut(
      `inconsistent: the database has no checkpoint of ${saved.size} or more entries (the log was truncated or replaced)\n`,
    );
    return 1;
  }
  const to = Number(latest.size);
  let proof: string[];
  try {
    proof = (await proveConsistency(database.db, saved.size, to)).proof;
  } catch (e) {
    await writeOut(`inconsistent: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const hashes = proof.map((h) => Buffer.from(h, 'hex'));
  const ok = verifyConsistency(
    saved.size,
    to,
    Buffer.from(saved.rootHash, 'hex'),
    Buffer.from(latest.root_hash, 'hex'),
    hashes,
  );
  await writeOut(
    ok
      ? `consistent: checkpoint ${saved.size} (${saved.rootHash.slice(0, 12)}…) is a prefix of checkpoint ${to} (${latest.root_hash.slice(0, 12)}…)\n`
      : `inconsistent: checkpoint ${to} does not extend checkpoint ${saved.size}: entries 1..${saved.size} were rewritten\n`,
  );
  return ok ? 0 : 1;
}

/** Accepts a checkpoint as `pitboss audit checkpoint` prints it, or as the API wraps it (`{ checkpoint }`, `{ latest }`). */
function parseCheckpoint(text: string, file: string): { size: number; rootHash: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CliError(`${file}: not JSON`);
  }
  const record = value as Record<string, unknown> | null;
  const c = (record?.checkpoint ?? record?.latest ?? record) as Record<string, unknown> | null;
  if (
    typeof c?.size !== 'number' ||
    !Number.isSafeInteger(c.size) ||
    c.size < 1 ||
    typeof c.rootHash !== 'string' ||
    !/^[0-9a-f]{64}$/.test(c.rootHash)
  ) {
    throw new CliError(
      `${file}: expected a checkpoint: { "size": <entries>, "rootHash": "<64 hex digits>" }`,
    );
  }
  return { size: c.size, rootHash: c.rootHash };
}

async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}
