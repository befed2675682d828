import type { Metric, Registry } from 'prom-client';

/**
 * Counters and histograms for the proxy's hot path, exposed through a prom-client Registry. prom-client hashes
 * the label set on every `inc`/`observe`, even on a child from `labels()` (~1 µs each); here a caller keeps the
 * series cell it got once and bumps numbers in it. Formatting is prom-client's: these implement the `get()`
 * a Registry reads.
 */
type Labels = Readonly<Record<string, string>>;

interface MetricValue {
  readonly labels: Record<string, string | number>;
  readonly value: number;
  readonly metricName?: string;
}

abstract class FastMetric<Cell> {
  protected readonly series = new Map<string, { labels: Labels; cell: Cell }>();

  constructor(
    readonly name: string,
    readonly help: string,
    registry: Registry,
  ) {
    registry.registerMetric(this as unknown as Metric);
  }

  /** The cell of one label combination (created on first use); `key` must identify `labels`. */
  cell(key: string, labels: Labels): Cell {
    let s = this.series.get(key);
    if (!s) {
      s = { labels, cell: this.create() };
      this.series.set(key, s);
    }
    return s.cell;
  }

  reset(): void {
    this.series.clear();
  }

  protected abstract create(): Cell;
}

export class FastCounter extends FastMetric<{ value: number }> {
  readonly type = 'counter';
  readonly aggregator = 'sum';

  protected create() {
    return { value: 0 };
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: MetricValue[] } {
    const values = [...this.series.values()].map((s) => ({ labels: { ...s.labels }, value: s.cell.value }));
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}

export interface HistogramCell {
  /** Per-bucket (not cumulative) counts, one per bound, then +Inf. */
  readonly counts: number[];
  sum: number;
  count: number;
}

export class FastHistogram extends FastMetric<HistogramCell> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';

  constructor(
    name: string,
    help: string,
    registry: Registry,
    readonly bounds: readonly number[],
  ) {
    super(name, help, registry);
  }

  /** Records `value` in a cell from `cell()`. */
  observe(cell: HistogramCell, value: number): void {
    const b = this.bounds;
    let lo = 0;
    let hi = b.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (value <= b[mid]!) hi = mid;
      else lo = mid + 1;
    }
    cell.counts[lo]!++;
    cell.sum += value;
    cell.count++;
  }

  protected create(): HistogramCell {
    return { counts: new Array(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
  }

  get(): { name: string; help: string; type: string; aggregator: string; values: MetricValue[] } {
    const values: MetricValue[] = [];
    for (const { labels, cell } of this.series.values()) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += cell.counts[i]!;
        values.push({ labels: { ...labels, le }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({
        labels: { ...labels, le: '+Inf' },
        value: cell.count,
        metricName: `${this.name}_bucket`,
      });
      values.push({ labels: { ...labels }, value: cell.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...labels }, value: cell.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
