import { Badge } from '../components/badge.js';
import { Ago } from '../components/time.js';
import { metricTone } from './rollout-format.js';
import type { ComparisonEvidence, Gate, Measurement, MetricGate } from './rollout-types.js';

/** Each analysis run and its metrics: verdict, counts, and the evidence of the latest measurement. */
export function ReleaseGates({ gates }: { readonly gates: readonly Gate[] }) {
  return (
    <section class="panel" aria-labelledby="gates-title">
      <h2 id="gates-title">Gates</h2>
      {gates.length === 0 && <p class="muted">No analysis is running.</p>}
      {gates.map((g) => (
        <div class="gate" key={g.run}>
          <h3>
            {g.run} <Badge tone={metricTone(g.status)}>{g.status}</Badge>{' '}
            {g.hardStopped && <Badge tone="bad">hard stop</Badge>}{' '}
            {g.sharedIncident && <Badge tone="warn">shared incident</Badge>}
          </h3>
          <p class="muted small">
            {g.templates.join(', ')} · started <Ago at={g.startedAt} />
            {g.message && <> · {g.message}</>}
          </p>
          <ul class="metrics">
            {g.metrics.map((m) => (
              <MetricItem key={m.name} metric={m} />
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}

function MetricItem({ metric: m }: { readonly metric: MetricGate }) {
  return (
    <li class="metric">
      <div>
        <strong>{m.name}</strong> <Badge tone={metricTone(m.status)}>{m.status}</Badge>
        {m.dryRun && <Badge>dry run</Badge>} {m.hardStop && <Badge tone="warn">hard stop</Badge>}
        <span class="muted small">
          {' '}
          {m.taken} taken: {m.successful} ok, {m.failed} failed, {m.inconclusive} inconclusive, {m.errors}{' '}
          errors
          {m.nextAt && (
            <>
              {' '}
              · next <Ago at={m.nextAt} />
            </>
          )}
        </span>
      </div>
      {m.message && m.message !== m.last?.message && <div class="small">{m.message}</div>}
      {m.last && <Evidence measurement={m.last} />}
    </li>
  );
}

/** Figures as a person reads them: integers as they are, the rest to 4 significant digits. */
function n(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(4);
}

function Evidence({ measurement: x }: { readonly measurement: Measurement }) {
  return (
    <div class={`evidence evidence-${x.phase}`}>
      <div>
        Last: <strong>{x.phase}</strong>
        {x.reason && <span class="muted"> ({x.reason})</span>} — {x.message} <Ago at={x.at} />
      </div>
      {x.advice && <div class="muted small">{x.advice}</div>}
      {x.values && x.values.length > 0 && (
        <div class="small">
          {x.values.map((v, i) => (
            <span key={i} class="arm-value">
              {v.arm}
              {v.dimension ? ` ${v.dimension}` : ''}:{' '}
              <code>{typeof v.value === 'number' ? n(v.value) : String(v.value)}</code>
            </span>
          ))}
        </div>
      )}
      {x.comparisons && x.comparisons.length > 0 && <Comparisons rows={x.comparisons} />}
    </div>
  );
}

function Comparisons({ rows }: { readonly rows: readonly ComparisonEvidence[] }) {
  return (
    <table class="comparisons small">
      <thead>
        <tr>
          <th scope="col">Test</th>
          <th scope="col">Baseline (events)</th>
          <th scope="col">Canary (events)</th>
          <th scope="col">Ratio [bounds]</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((c, i) => (
          <tr key={i}>
            <th scope="row">
              {c.test}
              {c.dimension ? ` ${c.dimension}` : ''}
            </th>
            <td>
              {n(c.baseline.value)} ({c.baseline.events})
            </td>
            <td>
              {n(c.canary.value)} ({c.canary.events})
            </td>
            <td>
              {n(c.ratio)} [{n(c.lower)}, {n(c.upper)}]
              {c.neededEvents !== undefined && <span class="muted"> · needs {c.neededEvents} more</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
