import type { Series } from './provider.js';

/**
 * Helpers shared by the threshold and comparison measurements: placeholders, grouping series by dimension, and
 * the figures in messages (`97.1 %`, `652 ms`-style numbers, `~13 min`).
 */

const VERSION = /\{\{\s*version\s*\}\}/g;
const WINDOW = /\{\{\s*window\s*\}\}/g;

export function usesVersion(query: string): boolean {
  VERSION.lastIndex = 0;
  return VERSION.test(query);
}

/** Substitutes the measurement-time placeholders (the plan's shared semantics). */
export function fillQuery(query: string, version: string, window: string): string {
  return query.replace(VERSION, version).replace(WINDOW, window);
}

/** Series grouped by the metric's dimension (or by their whole label set without one), key → series. */
export function groupSeries(series: readonly Series[], dimension: string | undefined): Map<string, Series[]> {
  const groups = new Map<string, Series[]>();
  for (const s of series) {
    const key = dimension === undefined ? labelKey(s.labels) : (s.labels[dimension] ?? '');
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [s]);
    else list.push(s);
  }
  return groups;
}

function labelKey(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

/** `psp=B ` for a dimension value, the label set for an undimensioned series among several, else nothing. */
export function groupLabel(dimension: string | undefined, key: string, groups: number): string {
  if (dimension !== undefined) return `${dimension}=${key === '' ? '(none)' : key} `;
  return groups > 1 && key !== '' ? `{${key}} ` : '';
}

/** A number from a series value: numbers as they are, numeric strings parsed, anything else undefined. */
export function toNumber(value: number | string | boolean): number | undefined {
  if (typeof value === 'number') return Number.isNaN(value) ? undefined : value;
  if (typeof value === 'string' && value.trim() !== '') {
    const n = Number(value);
    return Number.isNaN(n) ? undefined : n;
  }
  return undefined;
}

const ratioConditions = new Map<string | undefined, Map<string | undefined, boolean>>();

/** True when a condition's numeric literals all lie in (0, 1]: its values are ratios, shown as percentages. */
export function isRatioCondition(success: string | undefined, failure: string | undefined): boolean {
  let bySuccess = ratioConditions.get(success);
  if (bySuccess === undefined) {
    if (ratioConditions.size >= 1_000) ratioConditions.clear();
    bySuccess = new Map();
    ratioConditions.set(success, bySuccess);
  }
  let known = bySuccess.get(failure);
  if (known === undefined) {
    const literals = [success, failure].flatMap((c) =>
      c === undefined ? [] : [...c.matchAll(/\d+(?:\.\d+)?/g)].map(Number),
    );
    known = literals.length > 0 && literals.every((n) => n > 0 && n <= 1);
    bySuccess.set(failure, known);
  }
  return known;
}

export function formatValue(value: number | string | boolean, asRatio: boolean): string {
  if (typeof value !== 'number') return JSON.stringify(value);
  if (asRatio && value >= 0 && value <= 1) return formatPercent(value);
  return formatNumber(value);
}

/** `97.1 %`, `99.95 %`, `0.49 %`: two decimals at most, fewer when they are zeros. */
export function formatPercent(ratio: number): string {
  const pct = ratio * 100;
  const digits = pct !== 0 && Math.abs(pct) < 1 ? 2 : pct >= 99 ? 2 : 1;
  return `${Number(pct.toFixed(digits))} %`;
}

/** Four significant digits, thousands separated: `652.3`, `0.1234`, `2,400`. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Math.abs(value) >= 1_000) return thousands(Math.round(value));
  return String(Number(value.toPrecision(4)));
}

/** `12,346` (toLocaleString is slow, and measurements are formatted at every look). */
function thousands(n: number): string {
  const digits = String(Math.abs(n));
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return n < 0 ? `-${out}` : out;
}

/** Two significant digits, rounded up: `2,400` for 2,351 (advice about events to come). */
export function roundNicely(n: number): number {
  if (n < 100) return Math.ceil(n);
  const magnitude = 10 ** (Math.floor(Math.log10(n)) - 1);
  return Math.ceil(n / magnitude) * magnitude;
}

/** `1.25×`, `12×`. */
export function formatRatio(ratio: number): string {
  if (ratio >= 1e6) return '≥ 1e6×';
  return `${ratio >= 10 ? Math.round(ratio) : Number(ratio.toFixed(2))}×`;
}

/** `45 s`, `13 min`, `2.5 h`. */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  return `${Number((seconds / 3600).toFixed(1))} h`;
}

/**
 * Which way a condition's values get worse, from how it compares `result`: `result >= 0.99` → lower is worse,
 * `result <= 400` → higher is worse. Undefined when the text does not say (then the first failing group is shown).
 */
export function worseDirection(condition: string | undefined): 'lower' | 'higher' | undefined {
  if (condition === undefined) return undefined;
  let known = directions.get(condition);
  if (known === undefined) {
    if (directions.size >= 1_000) directions.clear();
    known = direction(condition) ?? 'none';
    directions.set(condition, known);
  }
  return known === 'none' ? undefined : known;
}

const directions = new Map<string, 'lower' | 'higher' | 'none'>();

function direction(condition: string): 'lower' | 'higher' | undefined {
  if (/\bresult\s*>=?|<=?\s*result\b/.test(condition)) return 'lower';
  if (/\bresult\s*<=?|>=?\s*result\b/.test(condition)) return 'higher';
  return undefined;
}
