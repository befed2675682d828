import { useEffect, useRef } from 'preact/hooks';
import { path } from '../api/client.js';
import { ErrorNote } from '../components/error-note.js';
import { Ago } from '../components/time.js';
import { useResource } from '../use-resource.js';
import { percent } from './rollout-format.js';
import type { HistoryEntry } from './rollout-types.js';

/** The rollout's audit entries as a timeline, newest first; read again whenever the status moves. */
export function ReleaseHistory(props: {
  readonly name: string;
  readonly stateVersion: number | undefined;
  readonly stepCount: number;
}) {
  const history = useResource<{ entries: HistoryEntry[] }>(path`/api/v1/rollouts/${props.name}/history`);
  const { reload } = history;
  const seen = useRef(props.stateVersion);
  useEffect(() => {
    // The first status is what the first read already covers; every later one adds an entry.
    if (seen.current !== undefined && props.stateVersion !== seen.current) reload();
    seen.current = props.stateVersion;
  }, [props.stateVersion, reload]);
  const step = (i: number | undefined) => (i === undefined ? '' : String(Math.min(i + 1, props.stepCount)));
  const entries = [...(history.data?.entries ?? [])].reverse();
  return (
    <section class="panel" aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      <ErrorNote error={history.error} />
      {history.data !== undefined && entries.length === 0 && <p class="muted">No history yet.</p>}
      {entries.length > 0 && (
        <table class="small">
          <thead>
            <tr>
              <th scope="col">Time</th>
              <th scope="col">Event</th>
              <th scope="col">Phase</th>
              <th scope="col">Step</th>
              <th scope="col">Weight</th>
              <th scope="col">Message</th>
              <th scope="col">By</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.seq}>
                <td>
                  <Ago at={e.at} />
                </td>
                <th scope="row">{e.event}</th>
                <td>{e.phase ?? ''}</td>
                <td>{step(e.stepIndex)}</td>
                <td>{e.weight === undefined ? '' : percent(e.weight)}</td>
                <td>
                  {e.message ?? ''}
                  {e.reason && <span class="muted"> ({e.reason})</span>}
                </td>
                <td class="muted">{e.actor}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
