import type { ProviderSpec } from '../../analysis/analysis-template.js';
import type { MetricProvider, QueryResult } from '../../analysis/provider.js';

/** What a script answers: a number (one series), undefined (no data), or a full result (an error). */
export type ScriptAnswer = number | undefined | QueryResult;

/** The query as the provider got it, with the arm's version when the query names one (`version="v2"`). */
export interface ScriptedQuery {
  readonly query: string;
  readonly version?: string;
  readonly at: Date;
}

/**
 * A metric provider whose answers a test scripts (a small real fake, not a mock): every query is recorded, and
 * the answer comes from the current script, which the test swaps to simulate a regression or an outage.
 */
export class ScriptedProvider implements MetricProvider {
  readonly kind: ProviderSpec['kind'] = 'builtin';
  readonly queries: ScriptedQuery[] = [];

  constructor(private script: (q: ScriptedQuery) => ScriptAnswer) {}

  /** Replaces the script from now on. */
  answer(script: (q: ScriptedQuery) => ScriptAnswer): void {
    this.script = script;
  }

  /** Canary and baseline each answer their own value (by the version in the query). */
  static perVersion(values: Readonly<Record<string, ScriptAnswer>>): (q: ScriptedQuery) => ScriptAnswer {
    return (q) => (q.version === undefined ? undefined : values[q.version]);
  }

  async query(_spec: ProviderSpec, query: string, at: Date): Promise<QueryResult> {
    const version = /version="([^"]+)"/.exec(query)?.[1];
    const q: ScriptedQuery = { query, at, ...(version === undefined ? {} : { version }) };
    this.queries.push(q);
    const answer = this.script(q);
    if (answer === undefined) return { ok: true, series: [] };
    if (typeof answer === 'number') return { ok: true, series: [{ labels: {}, value: answer }] };
    return answer;
  }
}
