import { type AuditEntry, type AuditInput, appendAudit } from './audit/audit-log.js';
import { actorOf, type Principal } from './auth/roles.js';
import type { ChangeBus } from './delivery/change-bus.js';
import type { Database, Tx } from './storage/database.js';

/** Who asks for a change, and why: every mutation carries it into the audit log. */
export interface MutationContext {
  readonly principal: Principal;
  /**
   * How the change arrives. `api` is a person or script on the API; `gitops` is `pitboss apply`, the only way to
   * change a GitOps-locked environment; `approval` applies an approved change request; `preset` a preset.
   */
  readonly via?: 'api' | 'gitops' | 'approval' | 'preset';
  readonly reason?: string;
  readonly traceId?: string;
}

/** What a mutation's body returns: its result, the audit entries to append, and what it changed. */
export interface MutationOutcome<T> {
  readonly result: T;
  readonly audit: readonly AuditInput[];
  /**
   * Environments whose delivered configuration changed; omit when none did (tokens, say). The change is announced
   * either way, so that followers of the audit log (`GET /api/v1/events`) hear of every entry.
   */
  readonly environments?: readonly string[] | 'all';
}

/**
 * Runs every change the same way: one transaction under the write lock, the change and its audit entries
 * committed together, then the change announced to SSE streams (Unleash `BaseEvent`, but transactional). Every
 * committed audit entry is announced, with no environments when no delivered configuration changed.
 */
export class Mutations {
  constructor(
    private readonly database: Database,
    private readonly bus: ChangeBus,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  async run<T>(ctx: MutationContext, body: (tx: Tx, now: Date) => Promise<MutationOutcome<T>>): Promise<T> {
    const now = this.clock();
    const { outcome, entries } = await this.database.write(async (tx) => {
      const outcome = await body(tx, now);
      const entries: AuditEntry[] = await appendAudit(
        tx,
        {
          actor: actorOf(ctx.principal),
          ...optional('reason', ctx.reason),
          ...optional('traceId', ctx.traceId),
        },
        outcome.audit,
        now,
      );
      return { outcome, entries };
    });
    const last = entries[entries.length - 1];
    if (last !== undefined) {
      await this.bus.publish({ version: last.seq, environments: outcome.environments ?? [] });
    }
    return outcome.result;
  }
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}
