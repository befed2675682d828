import { useMemo } from 'preact/hooks';
import { HealthChart } from './health-chart.js';
import { type ChartData, chartSpecs, latestRows, toChartData } from './health-series.js';
import type { HealthSample } from './health-types.js';

const isEmpty = (d: ChartData | undefined) =>
  !d || (d[1].every((v) => v === null) && d[2].every((v) => v === null));

/** Release health: every chart of stable vs canary, then the newest figures as a table. */
export function HealthPanel(props: {
  readonly samples: readonly HealthSample[];
  readonly error: string | undefined;
  readonly stableVersion: string;
  readonly canaryVersion: string;
}) {
  const { samples } = props;
  const specs = useMemo(() => chartSpecs(samples), [samples]);
  // New arrays only when samples change: each chart calls setData when its data changes.
  const data = useMemo(() => specs.map((s) => toChartData(samples, s.pick)), [samples, specs]);
  const latest = samples[samples.length - 1];
  const rows = latestRows(latest, specs);
  return (
    <section class="panel" aria-labelledby="health-title">
      <h2 id="health-title">Release health: stable vs canary</h2>
      {props.error && (
        <p class="error" role="alert">
          Health metrics unavailable: {props.error}
        </p>
      )}
      {samples.length === 0 ? (
        !props.error && <p class="muted">No health samples yet.</p>
      ) : (
        <div class="health-grid">
          {specs.map((s, i) => (
            <HealthChart
              key={s.id}
              id={s.id}
              title={s.title}
              unit={s.unit}
              data={data[i] ?? [[], [], []]}
              empty={isEmpty(data[i])}
              stableLabel={props.stableVersion}
              canaryLabel={props.canaryVersion}
            />
          ))}
        </div>
      )}
      {latest && (
        <table class="health-latest">
          <caption>
            Latest figures, 5 s to{' '}
            <time dateTime={latest.at}>{new Date(latest.at).toLocaleTimeString()}</time>
          </caption>
          <thead>
            <tr>
              <th scope="col">Measure</th>
              <th scope="col">Stable {props.stableVersion}</th>
              <th scope="col">Canary {props.canaryVersion}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.label}>
                <th scope="row">{r.label}</th>
                <td>{r.stable}</td>
                <td>{r.canary}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
