import { useState } from 'preact/hooks';
import { ErrorNote } from '../components/error-note.js';
import { Loading, Page } from '../components/page.js';
import { type AuditFilters, matchesSearch, NO_FILTERS } from './audit-query.js';
import { AuditRow } from './audit-row.js';
import './audit.css';
import { ChainStatus } from './chain-status.js';
import { useAuditLog } from './use-audit-log.js';

/** The audit log, newest first and live, with the hash chain's verdict on top. */
export function AuditPage(_props: Record<string, unknown>) {
  const [filters, setFilters] = useState<AuditFilters>(NO_FILTERS);
  const [search, setSearch] = useState('');
  const log = useAuditLog(filters);
  const shown = log.entries.filter((e) => matchesSearch(e, search));
  return (
    <Page title="Audit">
      <ChainStatus />
      <FilterForm filters={filters} onApply={setFilters} />
      <div class="toolbar">
        <label for="audit-search">Search</label>
        <input
          id="audit-search"
          type="search"
          value={search}
          placeholder="action, resource, reason, trace id"
          onInput={(e) => setSearch(e.currentTarget.value)}
        />
        <span class="muted small" role="status">
          {shown.length} of {log.entries.length} loaded entries
        </span>
      </div>
      <ErrorNote error={log.error} />
      <table class="audit-table">
        <caption class="visually-hidden">Audit entries, newest first</caption>
        <thead>
          <tr>
            <th scope="col" class="col-seq">
              Seq
            </th>
            <th scope="col" class="col-time">
              Time
            </th>
            <th scope="col" class="col-actor">
              Actor
            </th>
            <th scope="col" class="col-action">
              Action
            </th>
            <th scope="col" class="col-resource">
              Resource
            </th>
            <th scope="col" class="col-reason">
              Reason
            </th>
            <th scope="col" class="col-trace">
              Trace id
            </th>
            <th scope="col" class="col-change">
              Change
            </th>
          </tr>
        </thead>
        <tbody>
          {shown.map((e) => (
            <AuditRow key={e.seq} entry={e} />
          ))}
        </tbody>
      </table>
      {!log.loading && shown.length === 0 && <p class="muted">No entries match.</p>}
      {log.loading && <Loading />}
      <div class="toolbar audit-more">
        {log.more && (
          <button type="button" onClick={log.loadMore} disabled={log.loading}>
            Older entries
          </button>
        )}
        {!log.more && !log.loading && log.entries.length > 0 && (
          <span class="muted small">The start of the log.</span>
        )}
      </div>
    </Page>
  );
}

/** The server-side filters, applied on submit (each change re-reads the log). */
function FilterForm(props: { readonly filters: AuditFilters; readonly onApply: (f: AuditFilters) => void }) {
  const [draft, setDraft] = useState(props.filters);
  const field = (name: keyof AuditFilters, label: string, type: string, placeholder?: string) => (
    <div class="audit-field">
      <label for={`audit-${name}`}>{label}</label>
      <input
        id={`audit-${name}`}
        type={type}
        value={draft[name]}
        placeholder={placeholder}
        onInput={(e) => setDraft({ ...draft, [name]: e.currentTarget.value })}
      />
    </div>
  );
  return (
    <form
      class="panel audit-filters"
      aria-label="Audit filters"
      onSubmit={(e) => {
        e.preventDefault();
        props.onApply(draft);
      }}
    >
      {field('resource', 'Resource', 'text', 'flag:payments_v2')}
      {field('actor', 'Actor', 'text', 'name or token id')}
      {field('since', 'Since', 'datetime-local')}
      {field('until', 'Until', 'datetime-local')}
      <div class="audit-filter-actions">
        <button type="submit" class="primary">
          Apply filters
        </button>
        <button
          type="button"
          onClick={() => {
            setDraft(NO_FILTERS);
            props.onApply(NO_FILTERS);
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}
