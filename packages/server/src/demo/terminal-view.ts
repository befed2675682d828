import type { Gate, MetricGate, RolloutView } from '../rollouts/rollout-view.js';
import type { TrafficSummary } from './traffic/index.js';

/** What the view knows about the release beyond its status: names, measurement counts, the story. */
export interface ReleaseContext {
  readonly name: string;
  readonly scenario: string;
  /** One line: what this scenario's v2 gets wrong and what should happen. */
  readonly story: string;
  /** Measurements each metric takes in a step (from the templates uploaded with the rollout). */
  readonly counts: ReadonlyMap<string, number>;
  readonly speed: number;
  /** When the release started (epoch ms): the plain lines' clock. */
  readonly startedAt: number;
}

export interface Extras {
  readonly traffic?: TrafficSummary;
  /** The payments_v2 prod rollout (0–1). */
  readonly flag?: number;
}

const BAR = 20;

/** Demo template copies are named `<shipped>-demo[-xN]`: people read the shipped name. */
export function shippedName(text: string): string {
  return text.replace(/-demo(?:-x[0-9.]+)?\b/g, '');
}

/** `[████████░░░░░░░░░░░░]` (or `#`/`-` on a plain stream). */
export function bar(fraction: number, unicode: boolean): string {
  const f = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
  const filled = Math.round(f * BAR);
  const [full, empty] = unicode ? ['█', '░'] : ['#', '-'];
  return `[${full.repeat(filled)}${empty.repeat(BAR - filled)}]`;
}

/**
 * How far step `index` is: done steps 1; the current one by its kind — a timed pause by its clock, an analysis
 * by its slowest metric's measurements out of its count, a routing step once the router confirmed it; later 0.
 */
export function stepProgress(view: RolloutView, index: number, ctx: ReleaseContext, now: number): number {
  if (index < view.stepIndex || view.phase === 'Healthy') return 1;
  if (index > view.stepIndex) return 0;
  const step = view.steps[index] ?? '';
  if (step.startsWith('pause')) {
    const since = Date.parse(view.pause?.since ?? '');
    const until = Date.parse(view.pause?.until ?? '');
    if (!Number.isFinite(since) || !Number.isFinite(until) || until <= since) return 0;
    return (now - since) / (until - since);
  }
  if (step.startsWith('analysis')) {
    const gate = view.gates.find((g) => g.run === `step-${index}`);
    if (!gate || gate.metrics.length === 0) return 0;
    return Math.min(
      ...gate.metrics.map((m) => {
        if (m.status === 'Successful') return 1;
        const count = ctx.counts.get(m.name);
        return count ? m.taken / count : 0;
      }),
    );
  }
  return view.routeConfirmed ? 1 : 0.5;
}

function percent(x: number): string {
  return `${Number((x * 100).toFixed(x < 0.1 ? 1 : 0))} %`;
}

/** The metric's latest evidence, without the metric's own name in front. */
function evidence(m: MetricGate): string {
  const text = m.last?.message ?? m.message ?? 'no measurement yet';
  const bare = text.startsWith(`${m.name}: `) ? text.slice(m.name.length + 2) : text;
  const reason = m.last?.reason ? ` [${m.last.reason}]` : '';
  return `${m.last?.phase ?? 'waiting'}${reason}: ${bare}${m.last?.advice ? ` — ${m.last.advice}` : ''}`;
}

function mark(status: string, unicode: boolean): string {
  const marks: Record<string, [string, string]> = {
    Successful: ['✓', 'ok'],
    Failed: ['✗', 'FAILED'],
    Error: ['!', 'ERROR'],
    Inconclusive: ['?', 'undecided'],
  };
  const m = marks[status];
  return m ? (unicode ? m[0] : m[1]) : unicode ? '…' : 'running';
}

function gateLines(gate: Gate, unicode: boolean): string[] {
  const title = gate.run === 'background' ? 'background (hard stops)' : `gate ${gate.run}`;
  return [
    `  ${title}: ${gate.status}${gate.sharedIncident ? ' [shared incident]' : ''}`,
    ...gate.metrics.map(
      (m) =>
        `    ${mark(m.status, unicode)} ${m.name}  ${m.successful} passed / ${m.failed} failed / ${m.taken} taken  ${evidence(m)}`,
    ),
  ];
}

/** The traffic in one line: journeys, deposits per version and how many failed. */
export function trafficLine(t: TrafficSummary | undefined): string | undefined {
  if (!t) return undefined;
  const deposits = t.byEndpoint.deposit ?? {};
  const perVersion = Object.entries(deposits)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([version, c]) => {
      const failed = c.serverErrors + c.networkErrors;
      return `${version} ${c.requests}${c.requests > 0 ? ` (${percent(failed / c.requests)} failed)` : ''}`;
    });
  const seconds = Math.max(1, t.elapsedMs / 1000);
  return (
    `traffic: ${t.journeys.started} journeys (${(t.journeys.started / seconds).toFixed(1)}/s), ` +
    `${t.journeys.inFlight} in flight · deposits ${perVersion.join(' · ') || 'none yet'}`
  );
}

/** The live block: the release, each step with its bar, routing, every gate with its figures, the traffic. */
export function renderRelease(
  view: RolloutView,
  ctx: ReleaseContext,
  extras: Extras,
  now: number,
  unicode = true,
): string[] {
  const lines = [
    `${view.name} (revision ${view.revision}) · ${view.service} ${view.stableVersion} → ${view.canaryVersion} · scenario ${ctx.scenario}${ctx.speed === 1 ? '' : ` · time ×${ctx.speed}`}`,
    `  ${ctx.story}`,
  ];
  for (const [i, step] of view.steps.entries()) {
    const current = i === view.stepIndex && view.phase !== 'Healthy';
    const failed = current && view.phase === 'Aborted';
    const pointer = failed ? (unicode ? '✗' : 'X') : current ? (unicode ? '▶' : '>') : ' ';
    lines.push(
      ` ${pointer} ${String(i).padStart(2)} ${bar(stepProgress(view, i, ctx, now), unicode)} ${shippedName(step)}`,
    );
  }
  const route = [`weight ${view.route.weight} %`];
  if (view.route.segment) route.push(`segment ${view.route.segment}`);
  lines.push(
    `phase ${view.phase} (${view.reason}) · ${route.join(', ')}${view.routeConfirmed ? '' : ' (routing not confirmed yet)'}` +
      (extras.flag === undefined ? '' : ` · flag payments_v2 ${percent(extras.flag)} in prod`),
  );
  if (view.message) lines.push(`  ${shippedName(view.message)}`);
  for (const gate of view.gates) lines.push(...gateLines(gate, unicode));
  const traffic = trafficLine(extras.traffic);
  if (traffic) lines.push(traffic);
  return lines;
}

/**
 * What changed between two statuses, as plain lines (logs, CI): the step, the phase, the routing, each
 * metric's verdict or the kind of its latest measurement. Measurements that only add a count print nothing.
 */
export function describeChanges(
  prev: RolloutView | undefined,
  next: RolloutView,
  ctx: ReleaseContext,
): string[] {
  const out: string[] = [];
  if (!prev || prev.stepIndex !== next.stepIndex) {
    const step = next.steps[next.stepIndex];
    out.push(
      step === undefined
        ? `all ${next.steps.length} steps done`
        : `step ${next.stepIndex}/${next.steps.length - 1}: ${shippedName(step)}`,
    );
  }
  if (!prev || prev.phase !== next.phase || prev.reason !== next.reason) {
    out.push(`phase ${next.phase} (${next.reason})${next.message ? `: ${shippedName(next.message)}` : ''}`);
  }
  const route = (v: RolloutView) => `${v.route.weight}|${v.route.segment ?? ''}|${v.routeConfirmed}`;
  if (!prev || route(prev) !== route(next)) {
    out.push(
      `routing: weight ${next.route.weight} %${next.route.segment ? `, segment ${next.route.segment}` : ''}` +
        (next.routeConfirmed ? ' (confirmed by the gateway)' : ' (applying)'),
    );
  }
  for (const gate of next.gates) {
    const before = prev?.gates.find((g) => g.run === gate.run && g.startedAt === gate.startedAt);
    for (const m of gate.metrics) {
      const was = before?.metrics.find((x) => x.name === m.name);
      const kind = (x: MetricGate | undefined) => `${x?.status}|${x?.last?.phase}|${x?.last?.reason}`;
      if (kind(was) === kind(m) || m.last === undefined) continue;
      const count = ctx.counts.get(m.name);
      out.push(
        `  ${gate.run} ${m.name} ${m.status} (${m.taken}${count ? `/${count}` : ''} measurements) ${evidence(m)}`,
      );
    }
  }
  return out;
}

/**
 * The demo's terminal. On a TTY a live block is redrawn in place (cursor up, clear) under the lines printed so
 * far; elsewhere (CI, a pipe, a log file) only what changed is appended, with the time since the release began.
 */
export class TerminalView {
  private blockLines = 0;
  private last: RolloutView | undefined;
  private ctx: ReleaseContext | undefined;

  constructor(
    private readonly out: NodeJS.WritableStream & { columns?: number },
    readonly tty: boolean,
    private readonly now: () => number = Date.now,
  ) {}

  /** A line above the live block (it stays). */
  line(text = ''): void {
    this.clearBlock();
    this.out.write(`${text}\n`);
    this.redraw();
  }

  begin(ctx: ReleaseContext): void {
    this.finish();
    this.ctx = ctx;
    this.last = undefined;
  }

  update(view: RolloutView, extras: Extras = {}): void {
    const ctx = this.ctx;
    if (!ctx) return;
    if (this.tty) {
      this.last = view;
      this.extras = extras;
      this.redraw();
      return;
    }
    const seconds = ((this.now() - ctx.startedAt) / 1000).toFixed(1).padStart(6);
    for (const line of describeChanges(this.last, view, ctx)) this.out.write(`[${seconds}s] ${line}\n`);
    this.last = view;
  }

  /** Leaves the final block on screen (TTY) and stops redrawing it. */
  finish(): void {
    this.blockLines = 0;
    this.last = undefined;
    this.ctx = undefined;
  }

  private extras: Extras = {};

  private redraw(): void {
    if (!this.tty || !this.last || !this.ctx) return;
    this.clearBlock();
    const width = Math.max(40, (this.out.columns ?? 120) - 1);
    const lines = renderRelease(this.last, this.ctx, this.extras, this.now()).map((l) =>
      l.length > width ? `${l.slice(0, width - 1)}…` : l,
    );
    this.out.write(`${lines.join('\n')}\n`);
    this.blockLines = lines.length;
  }

  private clearBlock(): void {
    if (!this.tty || this.blockLines === 0) return;
    // Up to the first line of the block, then clear to the end of the screen.
    this.out.write(`\x1b[${this.blockLines}F\x1b[J`);
    this.blockLines = 0;
  }
}
