import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { ProviderSpec } from '../analysis/analysis-template.js';
import type { MetricProvider } from '../analysis/provider.js';
import type { AuditInput } from '../audit/audit-log.js';
import type { ChangeBus } from '../delivery/change-bus.js';
import { LocalChangeBus } from '../delivery/change-bus.js';
import type { FlagService } from '../flags/flag-service.js';
import { Mutations } from '../mutation.js';
import type { TrafficRouter } from '../routing/router.js';
import type { Database } from '../storage/database.js';
import { checkCommand, step } from './controller/step.js';
import type { WebhookSpec } from './rollout.js';
import { CONTROLLER, carryOut } from './rollout-actions.js';
import { measureDue } from './rollout-observations.js';
import {
  dueAt,
  progressed,
  rejectedCommand,
  toOutbox,
  transitionAudit,
  unchanged,
} from './rollout-reconcile.js';
import type { RolloutReconciler } from './rollout-service.js';
import type { Observations, RolloutState } from './rollout-state.js';
import {
  type Outbox,
  type OutboxNotification,
  type PendingCommand,
  rolloutStore,
  type StoredRollout,
} from './rollout-store.js';

/** Sends webhooks (notifications/webhook-notifier.ts); never throws. */
export interface Notifier {
  notify(hooks: readonly WebhookSpec[], event: OutboxNotification): Promise<void>;
}

/** Enough of pino for the driver. */
export interface DriverLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DriverOptions {
  readonly database: Database;
  readonly router: TrafficRouter;
  /** The metric provider of a kind (analysis/providers/index.ts `createProviders`). */
  readonly providers: (kind: ProviderSpec['kind']) => MetricProvider;
  /** For `setFlag` steps; without it they fail (and are noted). */
  readonly flags?: FlagService;
  readonly notifier?: Notifier;
  /** Where the controller's audit entries are announced; nothing listens for them by default. */
  readonly bus?: ChangeBus;
  readonly clock?: () => Date;
  /** Longest sleep between ticks; the loop wakes earlier when a measurement or a timed pause is due. */
  readonly tickMs?: number;
  /** How long a lease lasts without renewal; another replica takes the rollout over after it. */
  readonly leaseMs?: number;
  /** This driver's lease identity; defaults to host, pid and a random suffix. */
  readonly owner?: string;
  readonly measureTimeoutMs?: number;
  readonly log?: DriverLog;
  /**
   * Called at every boundary between side effects (after a commit, after each action, after the outbox is
   * cleared). Tests kill the process there (rollouts/testing/crash-driver.ts); production leaves it unset.
   */
  readonly boundary?: (label: string) => void;
}

/** What the app lets its caller choose (api/app.ts); the database, bus and flag service are the app's. */
export type RolloutDriverOptions = Partial<Omit<DriverOptions, 'database' | 'bus' | 'flags'>>;

/** Observe-step-commit passes per reconcile at most; what is left waits for the next tick. */
const MAX_PASSES = 8;

const SILENT: DriverLog = { info() {}, warn() {}, error() {} };

/**
 * The reconcile loop (Argo Rollouts `rollout/canary.go`, but over a pure `step`). For each rollout under way:
 * take or renew its lease, replay the outbox of the last transition, observe (route verification, due
 * measurements, the oldest queued command), `step`, then commit the next state, its audit entries and its outbox
 * in ONE transaction conditional on the state version and the lease, and only then carry out the actions and
 * send the webhooks. A crash anywhere re-runs idempotent work; a step is never taken twice because the
 * transition commits with the state it leads to.
 */
export class RolloutDriver implements RolloutReconciler {
  readonly owner: string;
  private readonly clock: () => Date;
  private readonly tickMs: number;
  private readonly leaseMs: number;
  private readonly log: DriverLog;
  private readonly mutations: Mutations;
  private readonly locks = new Map<string, Promise<void>>();
  private readonly listeners = new Set<(name: string) => void>();
  private readonly sending = new Set<Promise<void>>();
  private readonly noted = new Set<string>();
  private readonly held = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  /** When the loop's timer fires (clock milliseconds). */
  private wakeAt = 0;
  private running: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly options: DriverOptions) {
    this.owner = options.owner ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
    this.clock = options.clock ?? (() => new Date());
    this.tickMs = options.tickMs ?? 5000;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.log = options.log ?? SILENT;
    this.mutations = new Mutations(options.database, options.bus ?? new LocalChangeBus(), this.clock);
  }

  /** Runs the loop until `stop`. */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Ends the loop, waits for the reconcile in progress and the webhooks in flight, releases the leases. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    await Promise.all([...this.locks.values()]);
    await Promise.all([...this.sending]);
    for (const name of this.held) {
      await rolloutStore.releaseLease(this.options.database.db, name, this.owner).catch(() => {});
    }
    this.held.clear();
  }

  /** Called with a rollout's name each time this driver commits a new state of it (`watch`). */
  onChange(listener: (name: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** One pass over every rollout under way; returns when the next one is due (undefined: nothing scheduled). */
  async tickOnce(): Promise<Date | undefined> {
    const names = await rolloutStore.activeNames(this.options.database.db);
    let due: Date | undefined;
    for (const name of names) {
      const next = await this.guarded(name);
      if (next !== undefined && (due === undefined || next < due)) due = next;
    }
    return due;
  }

  /** Reconciles one rollout now, if this driver holds (or can take) its lease. */
  async reconcile(name: string): Promise<void> {
    const due = await this.guarded(name);
    // A start or a command may make something due before the loop's next wake-up (a short timed pause).
    if (due !== undefined && this.timer !== undefined && due.getTime() < this.wakeAt) {
      clearTimeout(this.timer);
      this.schedule(this.delayUntil(due));
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.wakeAt = this.clock().getTime() + delayMs;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.loop();
    }, delayMs);
    this.timer.unref?.();
  }

  private delayUntil(due: Date): number {
    return Math.min(this.tickMs, Math.max(50, due.getTime() - this.clock().getTime()));
  }

  private async loop(): Promise<void> {
    let delay = this.tickMs;
    try {
      const due = await this.tickOnce();
      if (due !== undefined) delay = this.delayUntil(due);
    } catch (e) {
      this.log.error({ err: e }, 'rollout tick failed');
    }
    this.schedule(delay);
  }

  /** Serialises reconciles of one rollout in this process, and keeps any failure inside the loop. */
  private guarded(name: string): Promise<Date | undefined> {
    const previous = this.locks.get(name) ?? Promise.resolve();
    const run = previous.then(() =>
      this.reconcileOnce(name).catch((e: unknown) => {
        this.log.error({ err: e, rollout: name }, 'rollout reconcile failed');
        return undefined;
      }),
    );
    const settled = run.then(() => {});
    this.locks.set(name, settled);
    void settled.then(() => {
      if (this.locks.get(name) === settled) this.locks.delete(name);
    });
    return run;
  }

  private async reconcileOnce(name: string): Promise<Date | undefined> {
    const { db } = this.options.database;
    if (!(await rolloutStore.acquireLease(db, name, this.owner, this.clock(), this.leaseMs))) {
      this.held.delete(name);
      return undefined;
    }
    this.held.add(name);
    let stored = await rolloutStore.get(db, name);
    if (stored === undefined) return undefined;
    if (stored.outbox !== undefined) await this.carryOutOutbox(stored, stored.outbox);
    // Goes on while something moves (a command applied, a transition, a route confirmed), so a start or a command
    // shows its effect at once; re-applying an unconfirmed route or recording a measurement stops the pass.
    for (let i = 0; i < MAX_PASSES; i++) {
      const pending = (await rolloutStore.pending(db, name))[0];
      const advanced = await this.advance(stored, pending);
      if (advanced === undefined) break;
      const moved =
        pending !== undefined ||
        advanced.state.transitions !== stored.state.transitions ||
        progressed(stored.state, advanced.state);
      stored = advanced;
      if (!moved) break;
    }
    return dueAt(stored.state);
  }

  /**
   * Observe → step → commit → act, once. Returns the stored rollout after the commit, or undefined when there was
   * nothing to commit or another writer moved the rollout first (then the next tick starts over from the store).
   */
  private async advance(
    stored: StoredRollout,
    pending: PendingCommand | undefined,
  ): Promise<StoredRollout | undefined> {
    const now = this.clock();
    const { state, resolved } = stored;
    const checked = pending === undefined ? undefined : checkCommand(state, pending.command, resolved);
    const command = pending !== undefined && checked === undefined ? pending.command : undefined;
    const observations: Observations = {
      ...(state.routeConfirmed ? {} : { routeVerified: await this.verify(stored) }),
      measurements: await measureDue(stored, now, this.options.providers, this.options.measureTimeoutMs),
      ...(command ? { command } : {}),
    };
    const result = step(resolved, state, observations, now);
    const refusal = checked ?? result.rejected;
    if (pending === undefined && unchanged(state, result)) {
      // Nothing new: the actions re-apply what the stored state already wants (an unconfirmed route), so they
      // need no commit and no outbox; a crash re-derives them.
      if (result.actions.length > 0)
        await this.carryOutOutbox(stored, { actions: result.actions, notifications: [] }, false);
      return undefined;
    }
    const outbox = toOutbox(stored, result, now);
    const audit: AuditInput[] = result.transitions.map((t) => transitionAudit(stored, t));
    if (pending !== undefined && refusal !== undefined)
      audit.push(rejectedCommand(stored, pending.command, refusal));
    const committed = await this.commit(stored, result.next, outbox, audit, pending);
    if (!committed) return undefined;
    const after: StoredRollout = {
      ...stored,
      state: result.next,
      stateVersion: stored.stateVersion + 1,
      ...(outbox ? { outbox } : {}),
    };
    if (outbox === undefined) delete (after as { outbox?: Outbox }).outbox;
    this.options.boundary?.('commit');
    for (const listener of this.listeners) listener(stored.name);
    if (outbox !== undefined) await this.carryOutOutbox(after, outbox);
    return after;
  }

  private async commit(
    stored: StoredRollout,
    next: RolloutState,
    outbox: Outbox | undefined,
    audit: readonly AuditInput[],
    pending: PendingCommand | undefined,
  ): Promise<boolean> {
    // A command's consequences are audited under the person who gave it; the controller's own under itself.
    const ctx = pending
      ? {
          principal: pending.principal,
          ...(pending.reason ? { reason: pending.reason } : {}),
          ...(pending.traceId ? { traceId: pending.traceId } : {}),
        }
      : { principal: CONTROLLER };
    try {
      return await this.mutations.run(ctx, async (tx, now) => {
        if (pending !== undefined && !(await rolloutStore.dequeue(tx, stored.name, pending.seq)))
          throw new StaleState();
        const expect = { stateVersion: stored.stateVersion, owner: this.owner };
        if (!(await rolloutStore.writeState(tx, stored.name, expect, next, outbox, now.toISOString())))
          throw new StaleState();
        return { result: true, audit };
      });
    } catch (e) {
      if (e instanceof StaleState) {
        this.log.warn({ rollout: stored.name }, 'rollout moved by another writer; starting over');
        return false;
      }
      throw e;
    }
  }

  /** Actions in order, then webhooks in the background; a failed action leaves the outbox for the next tick. */
  private async carryOutOutbox(stored: StoredRollout, outbox: Outbox, persisted = true): Promise<void> {
    const deps = {
      router: this.options.router,
      route: stored.rollout.route,
      ...(this.options.flags ? { flags: this.options.flags } : {}),
      db: this.options.database.db,
      rollout: stored.name,
      revision: stored.revision,
      stepIndex: stored.state.stepIndex,
      ...(this.options.boundary ? { boundary: this.options.boundary } : {}),
    };
    let failed = false;
    for (const [i, action] of outbox.actions.entries()) {
      try {
        await carryOut(action, deps);
      } catch (e) {
        failed = true;
        await this.noteFailure(stored, i, action.kind, e);
      }
      this.options.boundary?.(`action:${action.kind}`);
    }
    this.notify(stored, outbox.notifications);
    if (failed || !persisted) return;
    for (const key of this.noted) if (key.startsWith(`${stored.name}:`)) this.noted.delete(key);
    await rolloutStore.clearOutbox(this.options.database.db, stored.name, stored.stateVersion);
    this.options.boundary?.('outbox-cleared');
  }

  /** Logged every time, audited once per state (`rollout.action_failed`), so a retried failure does not flood. */
  private async noteFailure(stored: StoredRollout, index: number, kind: string, e: unknown): Promise<void> {
    const message = e instanceof Error ? e.message : String(e);
    this.log.warn({ rollout: stored.name, action: kind, err: e }, 'rollout action failed; retried next tick');
    const key = `${stored.name}:${stored.stateVersion}:${index}`;
    if (this.noted.has(key)) return;
    this.noted.add(key);
    await this.mutations
      .run({ principal: CONTROLLER }, async () => ({
        result: undefined,
        audit: [
          {
            action: 'rollout.action_failed',
            resource: `rollout:${stored.name}`,
            after: { revision: stored.revision, stepIndex: stored.state.stepIndex, action: kind, message },
          },
        ],
      }))
      .catch((err: unknown) => this.log.error({ err }, 'cannot audit a failed rollout action'));
  }

  private notify(stored: StoredRollout, notifications: readonly OutboxNotification[]): void {
    const { notifier } = this.options;
    const hooks = stored.rollout.notifications;
    if (notifier === undefined || hooks.length === 0) return;
    for (const event of notifications) {
      const sent = notifier.notify(hooks, event).catch(() => {});
      this.sending.add(sent);
      void sent.then(() => this.sending.delete(sent));
    }
  }

  private async verify(stored: StoredRollout): Promise<boolean> {
    try {
      return await this.options.router.verify(stored.rollout.route, stored.state.route);
    } catch (e) {
      this.log.warn({ rollout: stored.name, err: e }, 'router verify failed');
      return false;
    }
  }
}

/** The commit lost a race: the state or the command moved under us. */
class StaleState extends Error {}
