// RFC 3339 profile of ISO 8601: a date, or a date-time with seconds optional and an explicit zone. A time without a
// zone would mean different instants on different servers, so it is refused rather than guessed.
const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:[Zz]|[+-](\d{2}):(\d{2})))?$/;

/**
 * Epoch milliseconds of an ISO 8601 / RFC 3339 time (`2026-12-01`, `2026-12-01T20:00:00Z`), or undefined.
 * Fields are range-checked first: `Date.parse` would roll `2026-02-31` over to March 3rd.
 */
export function parseIsoTime(text: string): number | undefined {
  const m = ISO_TIME.exec(text);
  if (m === null) return undefined;
  const [year, month, day, hour, minute, second, offsetHour, offsetMinute] = m
    .slice(1)
    .map((f) => (f === undefined ? 0 : Number(f)));
  const daysInMonth = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  if (month! < 1 || month! > 12 || day! < 1 || day! > daysInMonth) return undefined;
  if (hour! > 23 || minute! > 59 || second! > 59 || offsetHour! > 23 || offsetMinute! > 59) return undefined;
  const ms = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** A context value as a time: an ISO string or epoch milliseconds; anything else is not a time. */
export function toTime(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'string') return parseIsoTime(value);
  return undefined;
}
