import { sql } from 'kysely';
import pg from 'pg';
import { readVersion } from '../config/state.js';
import type { Database } from '../storage/database.js';
import type { Change, ChangeBus, ChangeListener } from './change-bus.js';

/** The NOTIFY channel every replica of a database listens on. */
export const CHANGE_CHANNEL = 'pitboss_changes';
/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; past this, the change names all environments. */
const MAX_PAYLOAD = 7000;
/** Own versions remembered to skip their echo; more than enough for the changes in flight at once. */
const OWN_VERSIONS = 1024;

export interface PgChangeBusOptions {
  /** First delay before reconnecting after the LISTEN connection fails; doubled per failure. Default 100 ms. */
  readonly initialBackoffMs?: number;
  /** Longest delay between reconnection attempts. Default 10 s. */
  readonly maxBackoffMs?: number;
  readonly log?: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

interface Payload {
  readonly version: number;
  readonly environments: readonly string[] | 'all';
  /** The `?schema=` of the database URL: NOTIFY is per database, so tenants in other schemas hear it too. */
  readonly schema?: string;
}

/**
 * Fans changes out across replicas with PostgreSQL LISTEN/NOTIFY on channel `pitboss_changes`, payload
 * `{ version, environments, schema? }`. Listens on a dedicated `pg.Client` (a pooled connection cannot hold a
 * LISTEN) and reconnects with exponential back-off when it fails; after reconnecting it announces the current
 * version to every environment, because notifications sent while it was away are lost.
 *
 * A replica's own NOTIFY comes back to it too. `publish` delivers locally at once — so this replica's caches are
 * fresh before the mutation's response leaves — and skips the echo; delivery is idempotent by version anyway
 * (snapshots and streams ignore changes they are not behind), so a duplicate or a late change costs nothing.
 */
export class PgChangeBus implements ChangeBus {
  private readonly listeners = new Set<ChangeListener>();
  private readonly own = new Set<number>();
  private readonly connectionString: string;
  private readonly schema: string | undefined;
  private client: pg.Client | undefined;
  private retry: NodeJS.Timeout | undefined;
  private failures = 0;
  private closed = false;

  private constructor(
    private readonly database: Pick<Database, 'url' | 'db'>,
    private readonly options: PgChangeBusOptions,
  ) {
    const url = new URL(database.url);
    this.schema = url.searchParams.get('schema') ?? undefined;
    url.searchParams.delete('schema');
    this.connectionString = url.toString();
  }

  /**
   * Connects and listens; fails if the first connection fails (a database that refuses LISTEN, such as a
   * transaction-mode pooler, must stop the server at start, not leave replicas silently stale).
   */
  static async connect(
    database: Pick<Database, 'url' | 'db'>,
    options: PgChangeBusOptions = {},
  ): Promise<PgChangeBus> {
    const bus = new PgChangeBus(database, options);
    await bus.listen();
    return bus;
  }

  async publish(change: Change): Promise<void> {
    this.remember(change.version);
    this.deliver(change);
    const payload: Payload = { ...change, ...(this.schema === undefined ? {} : { schema: this.schema }) };
    let text = JSON.stringify(payload);
    if (text.length > MAX_PAYLOAD) text = JSON.stringify({ ...payload, environments: 'all' });
    try {
      // Through the pool, not the LISTEN client: a publish must not depend on that one connection being up.
      await sql`select pg_notify(${CHANGE_CHANNEL}, ${text})`.execute(this.database.db);
    } catch (err) {
      // The change is committed and delivered here; failing the request for it would invite a retry of a change
      // that succeeded. Other replicas catch up on their next change to these environments.
      this.options.log?.warn({ err, version: change.version }, 'NOTIFY of a change failed');
    }
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Whether the LISTEN connection is up (for tests and readiness). */
  get connected(): boolean {
    return this.client !== undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retry);
    this.listeners.clear();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => {});
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.connectionString,
      application_name: `pitboss-change-bus${this.schema === undefined ? '' : `:${this.schema}`}`,
      keepAlive: true,
    });
    // Attached before connecting: an 'error' event without a listener would crash the process.
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client, undefined));
    client.on('notification', (msg) => {
      if (msg.channel === CHANGE_CHANNEL && msg.payload !== undefined) this.receive(msg.payload);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANGE_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    if (this.closed) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
    this.failures = 0;
  }

  private lost(client: pg.Client, err: Error | undefined): void {
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    client.end().catch(() => {});
    this.options.log?.warn({ err }, 'change bus lost its LISTEN connection; reconnecting');
    this.reconnect();
  }

  private reconnect(): void {
    if (this.closed) return;
    const initial = this.options.initialBackoffMs ?? 100;
    const delay = Math.min(this.options.maxBackoffMs ?? 10_000, initial * 2 ** this.failures);
    this.failures += 1;
    this.retry = setTimeout(async () => {
      try {
        await this.listen();
      } catch (err) {
        this.options.log?.warn({ err }, 'change bus reconnection failed');
        this.reconnect();
        return;
      }
      if (this.closed) return;
      // Listening again: anything published meanwhile was lost, so tell every environment the current version
      // (if even that cannot be read, a version above any real one: every cached snapshot is then stale).
      const version = await readVersion(this.database.db).catch(() => Number.MAX_SAFE_INTEGER);
      this.options.log?.info({ version }, 'change bus listening again');
      this.deliver({ version, environments: 'all' });
    }, delay);
    this.retry.unref();
  }

  private receive(text: string): void {
    const change = parsePayload(text);
    if (change === undefined || change.schema !== this.schema) return;
    if (this.own.delete(change.version)) return; // our own NOTIFY, already delivered by publish
    this.deliver({ version: change.version, environments: change.environments });
  }

  private remember(version: number): void {
    this.own.add(version);
    if (this.own.size > OWN_VERSIONS) this.own.delete(this.own.values().next().value as number);
  }

  private deliver(change: Change): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(change);
      } catch (err) {
        this.options.log?.warn({ err }, 'change listener failed');
      }
    }
  }
}

/** The payload if it has the expected shape; anything else on the channel is ignored. */
function parsePayload(text: string): Payload | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { version, environments, schema } = value as Record<string, unknown>;
  if (!Number.isSafeInteger(version)) return undefined;
  const envsOk =
    environments === 'all' ||
    (Array.isArray(environments) && environments.every((e) => typeof e === 'string'));
  if (!envsOk || (schema !== undefined && typeof schema !== 'string')) return undefined;
  return {
    version: version as number,
    environments: environments as Payload['environments'],
    ...(schema === undefined ? {} : { schema: schema as string }),
  };
}
