import { randomBytes } from 'node:crypto';
import type { Reason } from '@pitboss/engine';
import type { Kysely } from 'kysely';
import type { Schema } from '../storage/schema.js';
import type { DecisionInput } from './decision-validation.js';
import {
  type DeliveryOptions,
  type ResolvedDeliveryOptions,
  resolveDeliveryOptions,
} from './delivery-options.js';

const DAY_MS = 86_400_000;
/** Rows per INSERT: 500 × 10 parameters stays under every driver's bound parameter limit. */
const INSERT_CHUNK = 500;

/** A stored decision, as `GET /api/v1/decisions` returns it. */
export interface DecisionRecord {
  readonly id: string;
  readonly environment: string;
  readonly flag: string;
  readonly variant: string | null;
  readonly reason: Reason;
  readonly ruleIndex: number | null;
  readonly traceId: string | null;
  readonly at: string;
  readonly receivedAt: string;
  /** The id of the key that posted it. */
  readonly source: string;
}

export interface DecisionQuery {
  readonly flag?: string;
  readonly traceId?: string;
  readonly environment?: string;
  readonly limit: number;
}

/** Minimal logger: pino's and fastify's fit. */
interface Log {
  warn(obj: object, msg: string): void;
}

/**
 * Decisions SDKs report, kept for a bounded time: `decisionRetentionDays` after they were received (the server's
 * clock, not the SDK's, which may be wrong), swept every `decisionRetentionIntervalMs`. Not mutations: no write
 * lock, no audit entry — they are telemetry, and a busy SDK fleet must not queue behind flag changes.
 */
export class DecisionLog {
  private readonly options: ResolvedDeliveryOptions;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly db: Kysely<Schema>,
    options: DeliveryOptions = {},
    private readonly log?: Log,
  ) {
    this.options = resolveDeliveryOptions(options);
    this.timer = setInterval(() => {
      this.prune().catch((err: unknown) => this.log?.warn({ err }, 'decision log retention sweep failed'));
    }, this.options.decisionRetentionIntervalMs);
    this.timer.unref();
  }

  /** Stores validated decisions of `environment`; `source` is the posting key's id. Returns how many. */
  async record(environment: string, decisions: readonly DecisionInput[], source: string): Promise<number> {
    const receivedAt = new Date(this.options.clock()).toISOString();
    const rows = decisions.map((d) => ({
      id: `dl_${randomBytes(12).toString('hex')}`,
      environment,
      flag: d.flag,
      variant: d.variant,
      reason: d.reason,
      rule_index: d.ruleIndex,
      trace_id: d.traceId,
      at: d.at,
      received_at: receivedAt,
      source,
    }));
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await this.db
        .insertInto('decision_logs')
        .values(rows.slice(i, i + INSERT_CHUNK))
        .execute();
    }
    return rows.length;
  }

  /** The latest decisions matching every given filter, newest first. */
  async find(query: DecisionQuery): Promise<DecisionRecord[]> {
    let q = this.db.selectFrom('decision_logs').selectAll();
    if (query.flag !== undefined) q = q.where('flag', '=', query.flag);
    if (query.traceId !== undefined) q = q.where('trace_id', '=', query.traceId);
    if (query.environment !== undefined) q = q.where('environment', '=', query.environment);
    const rows = await q.orderBy('at', 'desc').orderBy('id').limit(query.limit).execute();
    return rows.map((r) => ({
      id: r.id,
      environment: r.environment,
      flag: r.flag,
      variant: r.variant,
      reason: r.reason as Reason,
      ruleIndex: r.rule_index === null ? null : Number(r.rule_index),
      traceId: r.trace_id,
      at: r.at,
      receivedAt: r.received_at,
      source: r.source,
    }));
  }

  /**
   * Deletes decisions received more than `decisionRetentionDays` before `now` (the clock by default) and returns
   * how many. Runs periodically; callable at once (tests, operators).
   */
  async prune(now: number = this.options.clock()): Promise<number> {
    const cutoff = new Date(now - this.options.decisionRetentionDays * DAY_MS).toISOString();
    // ISO 8601 UTC strings of one format order like the times they name, on both drivers.
    const result = await this.db
      .deleteFrom('decision_logs')
      .where('received_at', '<', cutoff)
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Stops the retention sweep. */
  close(): void {
    clearInterval(this.timer);
  }
}
