/**
 * Durations as rollouts and analysis templates write them. Argo Rollouts takes Go's `time.ParseDuration` spelling
 * (`5m`, `1h30m`, `500ms`) and, for pauses, a bare integer of seconds; both forms are accepted everywhere so a
 * document reads the same whichever field it is in.
 */

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;

/**
 * Milliseconds of a duration: `500ms`, `5s`, `1m`, `1h30m`, `1.5h`, or a non-negative integer (number or digit
 * string) meaning seconds. Undefined when the text is none of these (negative, empty, unknown unit, `d`).
 *
 * @example parseDuration('1h30m') // 5_400_000
 * @example parseDuration(30) // 30_000
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value * 1000 : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!DURATION.test(text)) return undefined;
  let ms = 0;
  for (const [, amount, unit] of text.matchAll(PART)) ms += Number(amount) * UNIT_MS[unit!]!;
  return Math.round(ms);
}

/**
 * A Prometheus range duration for `{{window}}`: whole seconds, at least `1s` (a zero range selects nothing).
 *
 * @example formatPromDuration(95_400) // '95s'
 */
export function formatPromDuration(ms: number): string {
  const seconds = Number.isFinite(ms) ? Math.floor(ms / 1000) : 1;
  return `${Math.max(1, seconds)}s`;
}

/** A duration for messages and docs: `90s` → `1m30s`, `500` → `500ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  let rest = Math.round(ms / 1000);
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s || (!h && !m) ? `${s}s` : ''}`;
}
