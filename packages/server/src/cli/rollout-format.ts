import type { Measurement } from '../analysis/measurement.js';
import type { Gate, HistoryEntry, MetricGate, RolloutView } from '../rollouts/rollout-view.js';
import type { RouteState } from '../routing/router.js';
import { renderTable } from './table.js';

/**
 * A rollout's status as people read it: where it is (phase, step, weight), each gate's verdict with the evidence
 * of its latest measurement, and commands still waiting.
 *
 * @example
 * wallet  revision 1  v1 → v2  (service wallet)
 * Analyzing  AnalysisRunning: analysis success-rate running
 * step 1/3  analysis success-rate   weight 5 % (confirmed)
 *   gate step-1 (success-rate): Running
 *     success  Running  1 ok / 0 failed / 0 inconclusive / 0 errors  success 99.8 % ≥ 99 %
 */
export function formatStatus(view: RolloutView): string {
  const lines = [
    `${view.name}  revision ${view.revision}  ${view.stableVersion} → ${view.canaryVersion}  (service ${view.service})`,
    `${view.phase}  ${view.reason}${view.message ? `: ${view.message}` : ''}`,
    `${stepLine(view)}   ${routeLine(view.route, view.routeConfirmed)}`,
  ];
  if (view.pause?.until) lines.push(`paused until ${view.pause.until}`);
  for (const [i, step] of view.steps.entries()) {
    const mark = i < view.stepIndex ? 'done' : i === view.stepIndex ? '>>>>' : '    ';
    lines.push(`  ${mark} ${i}  ${step}`);
  }
  for (const gate of view.gates) lines.push(...formatGate(gate));
  for (const p of view.pendingCommands) lines.push(`  queued: ${p.command} (by ${p.by})`);
  return lines.join('\n');
}

function stepLine(view: RolloutView): string {
  const total = view.steps.length;
  if (view.stepIndex >= total) return `step ${total}/${total}  full promotion`;
  return `step ${view.stepIndex}/${total}  ${view.steps[view.stepIndex]}`;
}

export function routeLine(route: RouteState, confirmed: boolean): string {
  const parts = [`weight ${route.weight} %`];
  if (route.segment) parts.push(`segment ${route.segment}`);
  if (route.mirror > 0) parts.push(`mirror ${route.mirror} %`);
  return `${parts.join(', ')} (${confirmed ? 'confirmed' : 'not yet confirmed by the router'})`;
}

function formatGate(gate: Gate): string[] {
  const flags = [gate.hardStopped ? 'hard stop' : '', gate.sharedIncident ? 'shared incident' : '']
    .filter(Boolean)
    .join(', ');
  const head = `  gate ${gate.run} (${gate.templates.join(', ')}): ${gate.status}${flags ? ` [${flags}]` : ''}`;
  return [head, ...gate.metrics.map((m) => `    ${formatMetric(m)}`)];
}

function formatMetric(m: MetricGate): string {
  const tags = [m.dryRun ? 'dry run' : '', m.hardStop ? 'hard stop' : ''].filter(Boolean).join(', ');
  const counts = `${m.successful} ok / ${m.failed} failed / ${m.inconclusive} inconclusive / ${m.errors} errors`;
  const evidence = m.last ? evidenceOf(m.last) : (m.message ?? 'no measurement yet');
  return `${m.name}${tags ? ` (${tags})` : ''}  ${m.status}  ${counts}  ${evidence}`;
}

/** The latest measurement in one line: its message, why it is undecided, and what would let it decide. */
export function evidenceOf(m: Measurement): string {
  const reason = m.reason ? ` [${m.reason}]` : '';
  const advice = m.advice ? ` — ${m.advice}` : '';
  return `${m.phase}${reason}: ${m.message}${advice}`;
}

export function formatList(views: readonly RolloutView[]): string {
  if (views.length === 0) return 'No rollouts.';
  const rows = views.map((v) => [
    v.name,
    String(v.revision),
    v.canaryVersion,
    v.phase,
    `${Math.min(v.stepIndex, v.steps.length)}/${v.steps.length}`,
    `${v.route.weight}`,
    v.reason,
  ]);
  return renderTable(['ROLLOUT', 'REV', 'VERSION', 'PHASE', 'STEP', 'WEIGHT', 'REASON'], rows, [
    'left',
    'right',
    'left',
    'left',
    'right',
    'right',
    'left',
  ]);
}

export function formatHistory(entries: readonly HistoryEntry[]): string {
  if (entries.length === 0) return 'No history.';
  const rows = entries.map((e) => [
    e.at,
    e.revision === undefined ? '' : String(e.revision),
    e.event,
    e.phase ?? '',
    e.rolloutStep === undefined ? '' : String(e.rolloutStep),
    e.weight === undefined ? '' : String(e.weight),
    e.actor,
    [e.message, e.reason ? `(reason: ${e.reason})` : ''].filter(Boolean).join(' '),
  ]);
  return renderTable(['AT', 'REV', 'EVENT', 'PHASE', 'STEP', 'WEIGHT', 'ACTOR', 'MESSAGE'], rows, [
    'left',
    'right',
    'left',
    'left',
    'right',
    'right',
    'left',
    'left',
  ]);
}
