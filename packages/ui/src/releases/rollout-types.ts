/** Rollouts as the API gives them (server: rollouts/rollout-view.ts, analysis/measurement.ts). */

export type RolloutPhase = 'Progressing' | 'Analyzing' | 'Paused' | 'Degraded' | 'Aborted' | 'Healthy';
export type MetricStatus = 'Pending' | 'Running' | 'Successful' | 'Failed' | 'Error' | 'Inconclusive';

export interface ArmValue {
  readonly arm: 'canary' | 'baseline';
  readonly dimension?: string;
  readonly value: number | string | boolean;
}

export interface ComparisonEvidence {
  readonly test: 'proportions' | 'latency';
  readonly dimension?: string;
  readonly baseline: { readonly events: number; readonly value: number };
  readonly canary: { readonly events: number; readonly value: number };
  readonly ratio: number;
  readonly lower: number;
  readonly upper: number;
  readonly neededEvents?: number;
}

export interface Measurement {
  readonly at: string;
  readonly phase: 'success' | 'failure' | 'inconclusive' | 'error';
  readonly reason?: string;
  readonly message: string;
  readonly advice?: string;
  readonly values?: readonly ArmValue[];
  readonly comparisons?: readonly ComparisonEvidence[];
}

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

export interface RouteState {
  readonly weight: number;
  readonly segment?: string;
  readonly mirror: number;
}

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
  readonly steps: readonly string[];
  readonly route: RouteState;
  readonly routeConfirmed: boolean;
  readonly pause?: { readonly reason: string; readonly since: string; readonly until?: string };
  readonly gates: readonly Gate[];
  readonly pendingCommands: readonly {
    readonly seq: number;
    readonly command: string;
    readonly by: string;
  }[];
  readonly stateVersion: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface HistoryEntry {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
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
