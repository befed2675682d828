import type { AnalysisRunState, Measurement, MetricStatus } from '../analysis/measurement.js';
import type { AuditEntry } from '../audit/audit-entry.js';
import type { RouteState } from '../routing/router.js';
import { stagesOf } from './controller/stages.js';
import type { RolloutPhase, RolloutState } from './rollout-state.js';
import type { PendingCommand, StoredRollout } from './rollout-store.js';

/** One metric of a gate: its verdict so far and the evidence of its latest measurement. */
export interface MetricGate {
  readonly name: string;
  readonly status: MetricStatus;
  readonly dryRun: boolean;
  readonly hardStop: boolean;
  readonly taken: number;
  readonly successful: number;
  readonly failed: number;
  readonly inconclusive: number;
  readonly errors: number;
  readonly message?: string;
  readonly nextAt?: string;
  readonly last?: Measurement;
}

/** An analysis run (a step's analysis, or the background analysis) as `status` shows it. */
export interface Gate {
  readonly run: string;
  readonly templates: readonly string[];
  readonly status: MetricStatus;
  readonly startedAt: string;
  readonly message?: string;
  readonly hardStopped: boolean;
  readonly sharedIncident: boolean;
  readonly metrics: readonly MetricGate[];
}

/** What `GET /api/v1/rollouts/:name` answers and `pitboss rollout status` prints. */
export interface RolloutView {
  readonly name: string;
  readonly revision: number;
  readonly service: string;
  readonly stableVersion: string;
  readonly canaryVersion: string;
  readonly strategy: 'canary' | 'blueGreen';
  readonly phase: RolloutPhase;
  readonly reason: string;
  readonly message: string;
  readonly stepIndex: number;
  /** Each step (blue-green: each stage), as one line (`setWeight 25`, `pause 5m`); `stepIndex` indexes it. */
  readonly steps: readonly string[];
  readonly route: RouteState;
  readonly routeConfirmed: boolean;
  readonly pause?: RolloutState['pause'];
  readonly gates: readonly Gate[];
  readonly pendingCommands: readonly {
    readonly seq: number;
    readonly command: string;
    readonly by: string;
  }[];
  /** Increases with every committed state: `watch` sends a status when it changes. */
  readonly stateVersion: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A line of `history`: an audit entry of the rollout, flattened. */
export interface HistoryEntry {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  /** `start`, `command`, or a transition event (`StepCompleted`, `RolledBack`, …). */
  readonly event: string;
  readonly revision?: number;
  readonly phase?: string;
  readonly stepIndex?: number;
  readonly version?: string;
  readonly rolloutStep?: number;
  readonly weight?: number;
  readonly message?: string;
  readonly reason?: string;
}

/** The settled phases: `watch` ends there. */
export function isSettled(phase: RolloutPhase): boolean {
  return phase === 'Healthy' || phase === 'Aborted';
}

export function toView(stored: StoredRollout, pending: readonly PendingCommand[]): RolloutView {
  const { state, rollout } = stored;
  const strategy = rollout.strategy;
  const runs = [state.stepAnalysis, state.backgroundAnalysis].filter(
    (r): r is AnalysisRunState => r !== undefined,
  );
  return {
    name: stored.name,
    revision: stored.revision,
    service: rollout.route.service,
    stableVersion: rollout.route.stable.version,
    canaryVersion: rollout.route.canary.version,
    strategy: strategy.kind,
    phase: state.phase,
    reason: state.reason,
    message: state.message,
    stepIndex: state.stepIndex,
    steps: stagesOf(stored.resolved).map((s) => s.description),
    route: state.route,
    routeConfirmed: state.routeConfirmed,
    ...(state.pause ? { pause: state.pause } : {}),
    gates: runs.map(toGate),
    pendingCommands: pending.map((p) => ({
      seq: p.seq,
      command: p.command.kind,
      by: p.principal.name,
    })),
    stateVersion: stored.stateVersion,
    createdAt: stored.createdAt,
    updatedAt: stored.updatedAt,
  };
}

function toGate(run: AnalysisRunState): Gate {
  return {
    run: run.id,
    templates: run.templates,
    status: run.status,
    startedAt: run.startedAt,
    ...(run.message ? { message: run.message } : {}),
    hardStopped: run.hardStopped,
    sharedIncident: run.sharedIncident,
    metrics: run.metrics.map((m) => {
      const last = m.measurements[m.measurements.length - 1];
      return {
        name: m.name,
        status: m.status,
        dryRun: m.dryRun,
        hardStop: m.hardStop,
        taken: m.taken,
        successful: m.successful,
        failed: m.failed,
        inconclusive: m.inconclusive,
        errors: m.errors,
        ...(m.message ? { message: m.message } : {}),
        ...(m.nextAt ? { nextAt: m.nextAt } : {}),
        ...(last ? { last } : {}),
      };
    }),
  };
}

/** An audit entry of `rollout:<name>` as a history line. */
export function toHistoryEntry(entry: AuditEntry): HistoryEntry {
  const after = (entry.after ?? {}) as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const fields = {
    revision: num(after.revision),
    phase: str(after.phase),
    stepIndex: num(after.stepIndex),
    version: str(after.version),
    rolloutStep: num(after.rollout_step),
    weight: num(after.weight),
    message: str(after.message),
    reason: entry.reason ?? undefined,
  };
  return {
    seq: entry.seq,
    at: entry.at,
    actor: entry.actor,
    event: entry.action.startsWith('rollout.') ? entry.action.slice('rollout.'.length) : entry.action,
    ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
  };
}
