import { parseIsoTime, REASONS, type Reason } from '@pitboss/engine';
import { PitbossError } from '../errors.js';

/** Most decisions in one `POST /sdk/v1/decisions`; SDKs flush a batch when it is full. */
export const MAX_DECISIONS = 1000;
/** Longest flag key, variant, trace id and environment accepted. */
const MAX_TEXT = 128;
/** Problems listed in `details`; the rest of a bad batch is not worth the bytes. */
const MAX_PROBLEMS = 20;
const FIELDS = new Set(['flag', 'variant', 'reason', 'ruleIndex', 'traceId', 'at']);

/** One decision an SDK made, validated and normalised (`at` in UTC ISO 8601, absent fields null). */
export interface DecisionInput {
  readonly flag: string;
  readonly variant: string | null;
  readonly reason: Reason;
  readonly ruleIndex: number | null;
  readonly traceId: string | null;
  readonly at: string;
}

export interface DecisionBatch {
  /** Absent when the query string names it (`?environment=`). */
  readonly environment: string | undefined;
  readonly decisions: readonly DecisionInput[];
}

interface Problem {
  readonly path: (string | number)[];
  readonly message: string;
}

/**
 * Validates a decision batch by hand rather than with the route's JSON schema, so that every message names the
 * field as an SDK author writes it — `decisions[3].reason: must be one of …` — and one bad decision in a batch
 * of a thousand is found at once. Throws VALIDATION_FAILED with every problem (up to 20) in `details`.
 */
export function validateDecisionBatch(body: unknown): DecisionBatch {
  const problems: Problem[] = [];
  const problem = (path: (string | number)[], message: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ path, message });
  };
  if (!isObject(body)) throw failed([{ path: [], message: 'the body must be a JSON object' }]);
  for (const key of Object.keys(body)) {
    if (key !== 'environment' && key !== 'decisions') problem([key], 'unknown field');
  }
  const environment = text(body.environment, ['environment'], problem, false);
  const list = body.decisions;
  if (!Array.isArray(list)) problem(['decisions'], 'must be an array');
  else if (list.length > MAX_DECISIONS)
    problem(['decisions'], `at most ${MAX_DECISIONS} decisions per batch, got ${list.length}`);
  const decisions: DecisionInput[] = [];
  if (Array.isArray(list) && list.length <= MAX_DECISIONS) {
    list.forEach((item, i) => {
      const d = decision(item, i, problem);
      if (d !== undefined) decisions.push(d);
    });
  }
  if (problems.length > 0) throw failed(problems);
  return { environment, decisions };
}

function decision(
  item: unknown,
  i: number,
  problem: (path: (string | number)[], message: string) => void,
): DecisionInput | undefined {
  const at = (field: string) => ['decisions', i, field];
  if (!isObject(item)) {
    problem(['decisions', i], 'must be an object');
    return undefined;
  }
  for (const key of Object.keys(item)) if (!FIELDS.has(key)) problem(at(key), 'unknown field');
  const flag = text(item.flag, at('flag'), problem, true);
  const variant = text(item.variant, at('variant'), problem, false);
  const traceId = text(item.traceId, at('traceId'), problem, false);
  const reason = item.reason;
  if (typeof reason !== 'string' || !(REASONS as readonly string[]).includes(reason))
    problem(at('reason'), `must be one of ${REASONS.join(', ')}`);
  const ruleIndex = item.ruleIndex ?? null;
  if (ruleIndex !== null && !(Number.isSafeInteger(ruleIndex) && (ruleIndex as number) >= 0))
    problem(at('ruleIndex'), 'must be a non-negative integer');
  const when = timestamp(item.at);
  if (when === undefined) problem(at('at'), 'must be an ISO 8601 date-time, such as 2025-01-31T12:00:00Z');
  if (flag === undefined || when === undefined) return undefined;
  return {
    flag,
    variant: variant ?? null,
    reason: reason as Reason,
    ruleIndex: ruleIndex as number | null,
    traceId: traceId ?? null,
    at: when,
  };
}

/** A non-empty string of at most 128 characters; `undefined` when absent (or invalid, after reporting it). */
function text(
  value: unknown,
  path: (string | number)[],
  problem: (path: (string | number)[], message: string) => void,
  required: boolean,
): string | undefined {
  if (value === undefined || value === null) {
    if (required) problem(path, 'is required');
    return undefined;
  }
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_TEXT) {
    problem(path, `must be a string of 1 to ${MAX_TEXT} characters`);
    return undefined;
  }
  return value;
}

/** A date-time with a zone, range-checked by the engine's parser (no `2030-02-30` rolled over to March). */
function timestamp(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.includes('T')) return undefined;
  const ms = parseIsoTime(value);
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `decisions[3].reason`: the path as an SDK author writes it. */
export function fieldName(path: readonly (string | number)[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('') || 'body';
}

function failed(problems: readonly Problem[]): PitbossError {
  const first = problems[0]!;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more in details)` : '';
  return new PitbossError(
    'VALIDATION_FAILED',
    `${fieldName(first.path)}: ${first.message}${more}`,
    problems.map((p) => ({ path: ['body', ...p.path], field: fieldName(p.path), message: p.message })),
  );
}
