import { useState } from 'preact/hooks';
import { ErrorNote } from '../components/error-note.js';
import { Loading } from '../components/page.js';
import { Ago } from '../components/time.js';
import type { AuditEntry } from '../live.js';
import { useResource } from '../use-resource.js';
import { summariseEntry } from './audit-diff.js';
import { flagResource } from './flag-types.js';

const PAGE = 20;

/**
 * The flag's audit entries, newest first, each with who, when, why and a compact before → after of what changed.
 * The API lists oldest first with at most 1000 per page, so this reads the last 1000 (reversed).
 */
export function FlagHistory({ flagKey }: { readonly flagKey: string }) {
  const resource = flagResource(flagKey);
  const query = new URLSearchParams({ resource, limit: '1000' });
  const audit = useResource<{ entries: AuditEntry[] }>(
    `/api/v1/audit?${query}`,
    (e) => e.resource === resource,
  );
  const [shown, setShown] = useState(PAGE);
  const entries = [...(audit.data?.entries ?? [])].reverse();
  return (
    <section class="panel" aria-labelledby="history-title">
      <h2 id="history-title">Change history</h2>
      <ErrorNote error={audit.error} />
      {audit.data === undefined ? (
        audit.loading && <Loading />
      ) : entries.length === 0 ? (
        <p class="muted">No changes recorded.</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Who</th>
              <th scope="col">Action</th>
              <th scope="col">Reason</th>
              <th scope="col">What changed</th>
            </tr>
          </thead>
          <tbody>
            {entries.slice(0, shown).map((e) => (
              <tr key={e.seq}>
                <td>
                  <Ago at={e.at} />
                </td>
                <td>{e.actor}</td>
                <td>
                  <code>{e.action}</code>
                </td>
                <td>{e.reason ?? <span class="muted">—</span>}</td>
                <td>
                  <EntryChanges before={e.before} after={e.after} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {entries.length > shown && (
        <button type="button" onClick={() => setShown(shown + PAGE)}>
          Show {Math.min(PAGE, entries.length - shown)} older changes
        </button>
      )}
    </section>
  );
}

function EntryChanges({ before, after }: { readonly before: unknown; readonly after: unknown }) {
  const summary = summariseEntry(before, after);
  if (summary.verdict) return <span class="muted">{summary.verdict}</span>;
  if (summary.changes.length === 0) return <span class="muted">no field changed</span>;
  return (
    <ul class="changes">
      {summary.changes.map((c) => (
        <li key={c.path}>
          <code>{c.path}</code>: <code>{c.before}</code>
          <span class="arrow" aria-hidden="true">
            →
          </span>
          <span class="sr-only">changed to</span>
          <code>{c.after}</code>
        </li>
      ))}
      {summary.more > 0 && <li class="muted">and {summary.more} more</li>}
    </ul>
  );
}
