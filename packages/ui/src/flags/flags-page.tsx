import { FLAG_KINDS, type FlagKind } from '@pitboss/engine';
import { useMemo, useState } from 'preact/hooks';
import { Badge } from '../components/badge.js';
import { ErrorNote } from '../components/error-note.js';
import { Loading, Page } from '../components/page.js';
import { Ago } from '../components/time.js';
import type { AuditEntry } from '../live.js';
import { href } from '../router.js';
import { useResource } from '../use-resource.js';
import {
  environmentOrder,
  envSummary,
  expiryBadge,
  type FlagFilter,
  filterFlags,
  NO_FILTER,
  staleReasonText,
} from './flag-list.js';
import type { EnvironmentInfo, FlagView, StaleFlagItem, StaleReport } from './flag-types.js';
import './flags.css';

const isFlagEntry = (e: AuditEntry) => e.resource.startsWith('flag:');

/** #/flags: every flag with its state per environment, expiry and staleness; live from the audit feed. */
export function FlagsPage(_props: Record<string, unknown>) {
  const flags = useResource<{ flags: FlagView[] }>('/api/v1/flags', isFlagEntry);
  const envs = useResource<{ environments: EnvironmentInfo[] }>('/api/v1/environments', (e) =>
    e.resource.startsWith('environment:'),
  );
  const stale = useResource<StaleReport>('/api/v1/flags/stale', isFlagEntry);
  const [filter, setFilter] = useState<FlagFilter>(NO_FILTER);

  const staleByKey = useMemo(
    () => new Map((stale.data?.flags ?? []).map((s) => [s.key, s] as const)),
    [stale.data],
  );
  const all = flags.data?.flags ?? [];
  const environments = environmentOrder(envs.data?.environments.map((e) => e.key) ?? [], all);
  const shown = filterFlags(all, filter, staleByKey);

  return (
    <Page title="Flags">
      <Filters filter={filter} environments={environments} onChange={setFilter} />
      <ErrorNote error={flags.error ?? envs.error} />
      {stale.error !== undefined && (
        <p class="muted small">Stale flags could not be read: {String((stale.error as Error).message)}</p>
      )}
      {flags.data === undefined ? (
        flags.loading && <Loading />
      ) : (
        <>
          <p class="muted small" role="status">
            {shown.length === all.length ? `${all.length} flags` : `${shown.length} of ${all.length} flags`}
          </p>
          <FlagTable
            flags={shown}
            environments={environments}
            emphasis={filter.environment}
            stale={staleByKey}
          />
        </>
      )}
    </Page>
  );
}

function Filters(props: {
  readonly filter: FlagFilter;
  readonly environments: readonly string[];
  readonly onChange: (f: FlagFilter) => void;
}) {
  const { filter, onChange } = props;
  const set = (patch: Partial<FlagFilter>) => onChange({ ...filter, ...patch });
  return (
    <search class="toolbar">
      <label for="flag-search">Search flags</label>
      <input
        id="flag-search"
        type="search"
        value={filter.search}
        placeholder="key, owner, tag…"
        onInput={(e) => set({ search: e.currentTarget.value })}
      />
      <label for="flag-kind">Kind</label>
      <select
        id="flag-kind"
        value={filter.kind}
        onChange={(e) => set({ kind: e.currentTarget.value as FlagKind })}
      >
        <option value="">All kinds</option>
        {FLAG_KINDS.map((k) => (
          <option key={k} value={k}>
            {k}
          </option>
        ))}
      </select>
      <label for="flag-env">Environment</label>
      <select
        id="flag-env"
        value={filter.environment}
        onChange={(e) => set({ environment: e.currentTarget.value })}
      >
        <option value="">All environments</option>
        {props.environments.map((env) => (
          <option key={env} value={env}>
            {env}
          </option>
        ))}
      </select>
      <span class="field-inline">
        <input
          id="flag-killed"
          type="checkbox"
          checked={filter.killedOnly}
          onChange={(e) => set({ killedOnly: e.currentTarget.checked })}
        />
        <label for="flag-killed">Killed only</label>
      </span>
      <span class="field-inline">
        <input
          id="flag-stale"
          type="checkbox"
          checked={filter.staleOnly}
          onChange={(e) => set({ staleOnly: e.currentTarget.checked })}
        />
        <label for="flag-stale">Stale only</label>
      </span>
    </search>
  );
}

function FlagTable(props: {
  readonly flags: readonly FlagView[];
  readonly environments: readonly string[];
  readonly emphasis: string;
  readonly stale: ReadonlyMap<string, StaleFlagItem>;
}) {
  const now = Date.now();
  const envClass = (env: string) => (env === props.emphasis ? 'emphasised' : undefined);
  if (props.flags.length === 0) return <p class="muted">No flags match.</p>;
  return (
    <table class="flags-table">
      <caption class="muted small" style={{ textAlign: 'left' }}>
        Flags with their state per environment
      </caption>
      <thead>
        <tr>
          <th scope="col">Key</th>
          <th scope="col">Kind</th>
          <th scope="col">Owner</th>
          {props.environments.map((env) => (
            <th scope="col" key={env} class={envClass(env)}>
              {env}
            </th>
          ))}
          <th scope="col">Expiry</th>
          <th scope="col">Stale</th>
          <th scope="col">Last change</th>
        </tr>
      </thead>
      <tbody>
        {props.flags.map(({ flag, updatedAt }) => {
          const expiry = expiryBadge(flag.expiresAt, now);
          const stale = props.stale.get(flag.key);
          return (
            <tr key={flag.key}>
              <th scope="row">
                <a href={href('flags', flag.key)}>{flag.key}</a>
                {flag.protected && (
                  <>
                    {' '}
                    <Badge tone="info">protected</Badge>
                  </>
                )}
              </th>
              <td>{flag.kind}</td>
              <td>{flag.owner ?? <span class="muted">—</span>}</td>
              {props.environments.map((env) => {
                const s = envSummary(flag.environments[env]);
                return (
                  <td key={env} class={envClass(env)}>
                    <Badge tone={s.tone}>{s.label}</Badge>
                    {s.detail && s.label === 'on' && <span class="state-detail muted small">{s.detail}</span>}
                  </td>
                );
              })}
              <td>
                {expiry ? (
                  <Badge tone={expiry.tone} title={expiry.detail}>
                    {expiry.label}
                  </Badge>
                ) : (
                  '—'
                )}
              </td>
              <td>
                {stale ? (
                  <>
                    <Badge tone="warn">stale</Badge>
                    <span class="state-detail muted small">
                      {stale.reasons.map(staleReasonText).join('; ')}
                    </span>
                  </>
                ) : (
                  <span class="muted">—</span>
                )}
              </td>
              <td>
                <Ago at={updatedAt} />
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
