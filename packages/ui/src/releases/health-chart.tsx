import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartData } from './health-series.js';

const HEIGHT = 170;

export interface HealthChartProps {
  readonly id: string;
  readonly title: string;
  readonly unit: '%' | 'ms';
  readonly data: ChartData;
  readonly stableLabel: string;
  readonly canaryLabel: string;
  /** Neither arm has a value in the window: say so rather than draw an empty grid silently. */
  readonly empty?: boolean;
}

/**
 * One baseline-vs-canary line chart. uPlot draws on a canvas, so the <figure> carries an aria-label and the
 * figures table under the charts is the text alternative. Stable is solid in `--stable`, canary dashed in
 * `--canary`: the dash keeps the two apart without colour.
 */
export function HealthChart(props: HealthChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot>();

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const u = new uPlot(options(props, el.clientWidth), props.data, el);
    plot.current = u;
    const observer = new ResizeObserver((entries) => {
      const width = Math.floor(entries[0]?.contentRect.width ?? 0);
      if (width > 0 && width !== u.width) u.setSize({ width, height: HEIGHT });
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      u.destroy();
      plot.current = undefined;
    };
    // Labels and unit fix the chart's shape; data changes go through setData below.
  }, [props.stableLabel, props.canaryLabel, props.unit]);

  useEffect(() => {
    plot.current?.setData(props.data);
  }, [props.data]);

  const captionId = `chart-${props.id}-caption`;
  return (
    <figure
      class="health-chart"
      aria-label={`${props.title}: stable versus canary`}
      aria-describedby={captionId}
    >
      <figcaption id={captionId}>
        <strong>{props.title}</strong>{' '}
        <span class="legend-key legend-stable">stable {props.stableLabel}</span>{' '}
        <span class="legend-key legend-canary">canary {props.canaryLabel}</span>
        {props.empty && <span class="muted small"> · no data in this window</span>}
      </figcaption>
      <div ref={box} class="health-plot" />
    </figure>
  );
}

function options(props: HealthChartProps, width: number): uPlot.Options {
  const css = getComputedStyle(document.documentElement);
  const color = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
  const muted = color('--muted', '#5c606b');
  const grid = { stroke: color('--line', '#d9dbe0'), width: 1 };
  const unit = props.unit;
  const format = (v: number | null) =>
    v === null ? '—' : unit === '%' ? `${v.toFixed(2)} %` : `${Math.round(v)} ms`;
  return {
    width: Math.max(width, 200),
    height: HEIGHT,
    legend: { show: true, live: true },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true, range: timeRange }, ...(unit === '%' ? { y: { range: percentRange } } : {}) },
    series: [
      {},
      {
        label: `stable ${props.stableLabel}`,
        stroke: color('--stable', '#2a6fdb'),
        width: 2,
        // Dots as well as lines: a sample between two gaps (traffic just began) has no segment to draw.
        points: { show: true, size: 4 },
        spanGaps: false,
        value: (_u, v) => format(v),
      },
      {
        label: `canary ${props.canaryLabel}`,
        stroke: color('--canary', '#d9480f'),
        width: 2,
        dash: [6, 3],
        points: { show: true, size: 4 },
        spanGaps: false,
        value: (_u, v) => format(v),
      },
    ],
    axes: [
      { stroke: muted, grid, ticks: grid },
      {
        stroke: muted,
        grid,
        ticks: grid,
        size: 64,
        values: (_u, ticks) => ticks.map((t) => (unit === '%' ? `${t} %` : `${t} ms`)),
      },
    ],
  };
}

/**
 * Time spans at least the last five minutes: with one sample (a release that just started) uPlot would
 * otherwise stretch the axis over years.
 */
function timeRange(_u: uPlot, min: number | null, max: number | null): uPlot.Range.MinMax {
  const end = max ?? Date.now() / 1000;
  return [Math.min(min ?? end, end - 300), end];
}

/** Ratios live near 100 %: zoom in on the band the data uses, never past 100 % or below 0 %. */
function percentRange(_u: uPlot, min: number | null, _max: number | null): uPlot.Range.MinMax {
  const low = min === null ? 95 : Math.min(min, 99);
  return [Math.max(0, Math.floor(low - 1)), 100];
}
