import type { Flag } from '@pitboss/engine';
import type { AnalysisTemplate, MetricSpec } from '../../analysis/analysis-template.js';
import type { AnalysisRef, CanaryStrategy, Rollout } from '../../rollouts/rollout.js';
import { type CheckResult, fail, listOf, pass, warn } from '../check.js';
import { isPaymentsRollout } from '../payments.js';
import type { ReadinessData, RolloutInfo } from '../readiness-data.js';

const SETTLED = new Set(['Healthy', 'Aborted']);

/** Rollouts under way (not Healthy, not Aborted): the releases the live configuration is steering now. */
function active(data: ReadinessData): RolloutInfo[] {
  return data.rollouts.ok ? data.rollouts.value.filter((r) => !SETTLED.has(r.phase)) : [];
}

function unreadable(id: string, data: ReadinessData): CheckResult | undefined {
  if (!data.rollouts.ok) return warn(id, `could not read rollouts: ${data.rollouts.error}`);
  return undefined;
}

/**
 * The metrics of an analysis reference; unknown templates give `undefined` (the server resolved them when the
 * rollout started, so this only happens when the CLI's shipped templates differ from the server's).
 */
function metricsOf(
  ref: AnalysisRef,
  templates: ReadonlyMap<string, AnalysisTemplate>,
): MetricSpec[] | undefined {
  const out: MetricSpec[] = [];
  for (const name of ref.templates) {
    const t = templates.get(name);
    if (t === undefined) return undefined;
    out.push(...t.metrics);
  }
  return out;
}

/** An analysis that can stop a release: at least one metric that is not a dry run (or unknown: benefit of doubt). */
function isGate(ref: AnalysisRef, templates: ReadonlyMap<string, AnalysisTemplate>): boolean {
  const metrics = metricsOf(ref, templates);
  return metrics === undefined || metrics.some((m) => !m.dryRun);
}

/**
 * The weighted steps of a canary that nothing measures before the weight grows: each `setWeight` below 100 needs
 * an `analysis` step before the next `setWeight` (or the end), or a background analysis covering it with a pause
 * to measure in. A manual pause alone is the article's trap: "the canary goes by eye".
 */
export function ungatedSteps(
  strategy: CanaryStrategy,
  templates: ReadonlyMap<string, AnalysisTemplate>,
): string[] {
  const { steps, analysis: background } = strategy;
  if (steps.length === 0) return ['no steps: straight to 100 %'];
  const out: string[] = [];
  steps.forEach((step, i) => {
    if (step.kind !== 'setWeight' || step.weight <= 0 || step.weight >= 100) return;
    const covered = background !== undefined && background.startingStep <= i && isGate(background, templates);
    let gated = false;
    for (let j = i + 1; j < steps.length; j++) {
      const next = steps[j]!;
      if (next.kind === 'setWeight') break;
      if (next.kind === 'analysis' && isGate(next.analysis, templates)) gated = true;
      if (next.kind === 'pause' && covered) gated = true;
    }
    if (!gated) out.push(`setWeight ${step.weight} (step ${i})`);
  });
  return out;
}

/** Every analysis reference of a rollout: steps, background, blue-green pre- and post-promotion. */
function analysesOf(rollout: Rollout): AnalysisRef[] {
  const s = rollout.strategy;
  if (s.kind === 'canary')
    return [
      ...s.steps.flatMap((step) => (step.kind === 'analysis' ? [step.analysis] : [])),
      ...(s.analysis ? [s.analysis] : []),
    ];
  return [s.prePromotionAnalysis, s.postPromotionAnalysis].filter((a): a is AnalysisRef => a !== undefined);
}

/**
 * Article §2 and §15 "release gates via SLO are connected": every rollout under way is gated by analysis at each
 * weighted step (canary), or before or after the switch (blue-green).
 */
export function sloGates(data: ReadinessData): CheckResult {
  const problem = unreadable('slo-gates', data);
  if (problem) return problem;
  const rollouts = active(data);
  if (rollouts.length === 0) {
    const total = data.rollouts.ok ? data.rollouts.value.length : 0;
    return total === 0
      ? warn(
          'slo-gates',
          'no rollouts: releases are not going through SLO-gated canaries (pitboss rollout start)',
        )
      : pass('slo-gates', `no rollout under way (${total} finished)`);
  }
  const issues: string[] = [];
  const unknown: string[] = [];
  for (const r of rollouts) {
    if (r.spec === undefined) {
      unknown.push(r.name);
      continue;
    }
    const s = r.spec.strategy;
    if (s.kind === 'canary')
      for (const step of ungatedSteps(s, data.templates)) issues.push(`${r.name}: ${step}`);
    else if (!analysesOf(r.spec).some((a) => isGate(a, data.templates)))
      issues.push(`${r.name}: blue-green without pre- or post-promotion analysis`);
  }
  if (issues.length > 0)
    return fail(
      'slo-gates',
      `weights grow without an SLO gate: ${listOf(issues)}; add an analysis step after each setWeight ` +
        '(docs/rollouts.md)',
      issues,
    );
  if (unknown.length > 0)
    return warn('slo-gates', `could not read the spec of ${listOf(unknown)} (GET /api/v1/audit)`, unknown);
  return pass(
    'slo-gates',
    `${rollouts.length} rollout(s) under way, every weighted step gated: ${listOf(rollouts.map((r) => r.name))}`,
  );
}

/**
 * Article §4 "hard stop signals: chargeback errors, PSP success collapse": a payments rollout under way has at
 * least one `hardStop` metric, whose first failure aborts the release whatever the limits.
 */
export function hardStops(data: ReadinessData): CheckResult {
  const problem = unreadable('hard-stops', data);
  if (problem) return problem;
  const flags = new Map<string, Flag>(data.flags.map((f) => [f.key, f]));
  const payments = active(data).filter((r) => isPaymentsRollout(r.service, r.spec, flags, data.policy));
  if (payments.length === 0) return pass('hard-stops', 'no payments rollout under way');
  const missing: string[] = [];
  for (const r of payments) {
    if (r.spec === undefined) continue;
    const metrics = analysesOf(r.spec).flatMap((a) => metricsOf(a, data.templates) ?? []);
    if (!metrics.some((m) => m.hardStop && !m.dryRun)) missing.push(`${r.name} (service ${r.service})`);
  }
  if (missing.length > 0)
    return fail(
      'hard-stops',
      `payments rollout(s) without a hard stop: ${listOf(missing)}; add a background analysis with ` +
        'chargeback-errors and psp-success-collapse',
      missing,
    );
  return pass('hard-stops', `payments rollouts have hard stops: ${listOf(payments.map((r) => r.name))}`);
}

/**
 * What a metrics outage does to a rollout under way: `pause` (never promote, never roll back on missing data) is
 * the safe choice; `abort` rolls a healthy release back whenever Prometheus is down — a warning.
 */
export function providerOutage(data: ReadinessData): CheckResult {
  const problem = unreadable('provider-outage', data);
  if (problem) return problem;
  const rollouts = active(data).filter((r) => r.spec !== undefined);
  if (rollouts.length === 0) return pass('provider-outage', 'no rollout under way');
  const aborting = rollouts.filter((r) => r.spec!.onProviderOutage === 'abort').map((r) => r.name);
  if (aborting.length > 0)
    return warn(
      'provider-outage',
      `onProviderOutage: abort on ${listOf(aborting)}: a metrics outage rolls a healthy release back; ` +
        'pause holds it until the metrics return',
      aborting,
    );
  return pass(
    'provider-outage',
    `every rollout under way pauses on a metrics outage (onProviderOutage: pause)`,
  );
}
