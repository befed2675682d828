import { useState } from 'preact/hooks';
import { ErrorNote } from '../components/error-note.js';
import { Loading } from '../components/page.js';
import { Ago } from '../components/time.js';
import { useResource } from '../use-resource.js';
import type { DecisionRecord } from './flag-types.js';

const LIMIT = '50';

/**
 * Decisions SDKs reported for this flag, newest first; a trace id narrows it to one player's request (the API
 * filters, so an old decision is found even when it is not among the latest). Telemetry is not in the audit
 * feed, so this refreshes on request rather than live.
 */
export function RecentDecisions(props: {
  readonly flagKey: string;
  readonly environments: readonly string[];
}) {
  const [traceInput, setTraceInput] = useState('');
  const [query, setQuery] = useState({ traceId: '', environment: '' });
  const params = new URLSearchParams({ flag: props.flagKey, limit: LIMIT });
  if (query.traceId) params.set('traceId', query.traceId);
  if (query.environment) params.set('environment', query.environment);
  const decisions = useResource<{ decisions: DecisionRecord[] }>(`/api/v1/decisions?${params}`);
  const rows = decisions.data?.decisions ?? [];

  return (
    <section class="panel" aria-labelledby="decisions-title">
      <h2 id="decisions-title">Recent decisions</h2>
      <search>
        <form
          class="toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            setQuery({ ...query, traceId: traceInput.trim() });
          }}
        >
          <label for="decision-trace">Trace id</label>
          <input
            id="decision-trace"
            type="search"
            value={traceInput}
            spellcheck={false}
            onInput={(e) => setTraceInput(e.currentTarget.value)}
          />
          <button type="submit">Search</button>
          <label for="decision-env">In</label>
          <select
            id="decision-env"
            value={query.environment}
            onChange={(e) => setQuery({ ...query, environment: e.currentTarget.value })}
          >
            <option value="">every environment</option>
            {props.environments.map((env) => (
              <option key={env} value={env}>
                {env}
              </option>
            ))}
          </select>
          <button type="button" onClick={decisions.reload}>
            Refresh
          </button>
        </form>
      </search>
      <ErrorNote error={decisions.error} />
      {decisions.data === undefined ? (
        decisions.loading && <Loading />
      ) : rows.length === 0 ? (
        <p class="muted" role="status">
          {query.traceId ? `No decision with trace id ${query.traceId}.` : 'No decisions reported yet.'}
        </p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Environment</th>
              <th scope="col">Trace id</th>
              <th scope="col">Variant</th>
              <th scope="col">Reason</th>
              <th scope="col">Rule</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((d) => (
              <tr key={d.id}>
                <td>
                  <Ago at={d.at} />
                </td>
                <td>{d.environment}</td>
                <td>{d.traceId ? <code>{d.traceId}</code> : <span class="muted">—</span>}</td>
                <td>{d.variant ?? <span class="muted">—</span>}</td>
                <td>{d.reason}</td>
                <td>{d.ruleIndex === null ? <span class="muted">—</span> : `rule ${d.ruleIndex + 1}`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
