import type { AuditEntry } from '../live.js';
import { fieldChanges, resourceHref } from './audit-query.js';

/** One entry of the log; its before → after behind a <details> so the table stays scannable. */
export function AuditRow({ entry }: { readonly entry: AuditEntry }) {
  const link = resourceHref(entry.resource);
  return (
    <tr>
      <td class="num">{entry.seq}</td>
      <td>
        <time dateTime={entry.at} title={entry.at}>
          {new Date(entry.at).toLocaleString()}
        </time>
      </td>
      <td class="audit-actor">{entry.actor}</td>
      <td>
        <code>{entry.action}</code>
      </td>
      <td class="audit-resource">
        {link ? <a href={link}>{entry.resource}</a> : <code>{entry.resource}</code>}
      </td>
      <td class="audit-reason">{entry.reason ?? <span class="muted">—</span>}</td>
      <td class="audit-trace">
        {entry.traceId ? <code>{entry.traceId}</code> : <span class="muted">—</span>}
      </td>
      <td>
        <EntryDiff entry={entry} />
      </td>
    </tr>
  );
}

function EntryDiff({ entry }: { readonly entry: AuditEntry }) {
  if (entry.before == null && entry.after == null) return <span class="muted">—</span>;
  const changes = entry.before == null || entry.after == null ? [] : fieldChanges(entry.before, entry.after);
  return (
    <details class="audit-diff">
      <summary>
        {changes.length > 0 ? `${changes.length} field${changes.length === 1 ? '' : 's'}` : 'Show'}
        <span class="visually-hidden"> of entry {entry.seq}</span>
      </summary>
      {changes.length > 0 ? (
        <table>
          <thead>
            <tr>
              <th scope="col">Field</th>
              <th scope="col">Before</th>
              <th scope="col">After</th>
            </tr>
          </thead>
          <tbody>
            {changes.map((c) => (
              <tr key={c.path}>
                <th scope="row">
                  <code>{c.path}</code>
                </th>
                <td>
                  <code>{show(c.before)}</code>
                </td>
                <td>
                  <code>{show(c.after)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <div class="audit-json">
          <div>
            <strong>Before</strong>
            <pre>{entry.before == null ? '—' : JSON.stringify(entry.before, null, 2)}</pre>
          </div>
          <div>
            <strong>After</strong>
            <pre>{entry.after == null ? '—' : JSON.stringify(entry.after, null, 2)}</pre>
          </div>
        </div>
      )}
    </details>
  );
}

function show(v: unknown): string {
  return v === undefined ? '—' : JSON.stringify(v);
}
