import { useState } from 'preact/hooks';
import { path } from '../api/client.js';
import { Badge } from '../components/badge.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { ErrorNote } from '../components/error-note.js';
import { Loading } from '../components/page.js';
import { Ago } from '../components/time.js';
import type { ApprovalRequired } from '../flags/flag-types.js';
import { approvalOf, SentForApproval } from '../flags/outcome.js';
import { href } from '../router.js';
import { useSession } from '../session.js';
import { diffRows, type PresetApplied, type PresetView, stateRows } from './preset-diff.js';
import { type PresetDiffState, usePresetDiff } from './use-preset-diff.js';

/** One preset: what it sets, a dry-run preview, and Apply behind a confirmation that shows the same diff. */
export function PresetCard({ view, canEdit }: { readonly view: PresetView; readonly canEdit: boolean }) {
  const { api } = useSession();
  const { preset } = view;
  const diff = usePresetDiff(preset.key);
  const [previewing, setPreviewing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [reason, setReason] = useState('');
  const [applied, setApplied] = useState<string>();
  const [approval, setApproval] = useState<ApprovalRequired>();
  const titleId = `preset-${preset.key}`;

  const togglePreview = () => {
    if (previewing) diff.clear();
    else diff.load();
    setPreviewing(!previewing);
  };
  const openApply = () => {
    setApplied(undefined);
    setApproval(undefined);
    diff.load();
    setConfirming(true);
  };
  const apply = async () => {
    const body = reason.trim() ? { reason: reason.trim() } : {};
    const r = await api.post<PresetApplied>(path`/api/v1/presets/${preset.key}/apply`, body);
    const pending = approvalOf(r.status, r.body);
    setApproval(pending);
    if (!pending) setApplied(appliedMessage(preset.key, r.body));
    setReason('');
  };

  return (
    <article class="panel preset" aria-labelledby={titleId}>
      <header class="preset-header">
        <h2 id={titleId}>{preset.key}</h2>
        {preset.emergency && <Badge tone="bad">emergency</Badge>}
        {preset.protected && <Badge tone="info">protected</Badge>}
        <span class="muted small">
          version {view.version}, changed <Ago at={view.updatedAt} />
        </span>
      </header>
      {preset.description && <p>{preset.description}</p>}
      <StatesTable view={view} />
      <div class="toolbar">
        <button type="button" aria-expanded={previewing} onClick={togglePreview}>
          Preview
        </button>
        <button type="button" class="primary" disabled={!canEdit} onClick={openApply}>
          Apply {preset.key}
        </button>
        {!canEdit && <span class="muted small">Viewers can preview but not apply.</span>}
      </div>
      {applied && (
        <p class="notice" role="status">
          {applied}
        </p>
      )}
      {approval && <SentForApproval approval={approval} />}
      {previewing && <DiffView diff={diff} flags={Object.keys(preset.states)} />}
      {confirming && (
        <ConfirmDialog
          title={`Apply ${preset.key}?`}
          confirmLabel="Apply"
          danger={preset.emergency}
          onConfirm={apply}
          onClose={() => {
            setConfirming(false);
            if (!previewing) diff.clear();
          }}
        >
          <p>
            {preset.emergency
              ? 'An emergency preset applies at once, even when protected.'
              : preset.protected
                ? 'This preset is protected: applying it sends a change request for approval.'
                : 'Every change below is applied in one transaction.'}
          </p>
          <DiffView diff={diff} flags={Object.keys(preset.states)} />
          <label for={`${titleId}-reason`}>Reason (recorded in the audit log)</label>
          <input
            id={`${titleId}-reason`}
            type="text"
            maxLength={1000}
            value={reason}
            style={{ width: '100%' }}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </ConfirmDialog>
      )}
    </article>
  );
}

function appliedMessage(key: string, body: PresetApplied): string {
  const n = body.flags.length;
  if (n === 0) return `Applied ${key}: every flag was already in that state.`;
  return `Applied ${key}: changed ${body.flags.map((f) => f.flag.key).join(', ')}.`;
}

function StatesTable({ view }: { readonly view: PresetView }) {
  const rows = stateRows(view.preset.states);
  return (
    <table class="compact">
      <caption class="muted small">What it sets</caption>
      <thead>
        <tr>
          <th scope="col">Flag</th>
          <th scope="col">Environment</th>
          <th scope="col">Fields</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={`${r.flag}/${r.environment}`}>
            <th scope="row">
              <a href={href('flags', r.flag)}>{r.flag}</a>
            </th>
            <td>{r.environment}</td>
            <td>
              <code>{r.fields}</code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The dry run: per flag and environment, each field before → after; what it cannot reach, as problems. */
function DiffView({ diff, flags }: { readonly diff: PresetDiffState; readonly flags: readonly string[] }) {
  if (diff.error) return <ErrorNote error={diff.error} />;
  if (diff.data === undefined) return diff.loading ? <Loading /> : null;
  const rows = diffRows(diff.data.changes);
  return (
    <div class="preset-diff" role="status">
      {diff.data.problems.length > 0 && (
        <ul class="error">
          {diff.data.problems.map((p) => (
            <li key={`${p.flag}/${p.environment ?? ''}`}>{p.message}</li>
          ))}
        </ul>
      )}
      {rows.length === 0 ? (
        <p class="muted">Nothing to change: {flags.join(', ')} already match the preset.</p>
      ) : (
        <table class="compact">
          <caption class="muted small">Applying would change</caption>
          <thead>
            <tr>
              <th scope="col">Flag</th>
              <th scope="col">Environment</th>
              <th scope="col">Field</th>
              <th scope="col">Before</th>
              <th scope="col">After</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={`${r.flag}/${r.environment}/${r.field}`}>
                <th scope="row">{r.flag}</th>
                <td>{r.environment}</td>
                <td>{r.field}</td>
                <td>
                  <code>{r.before}</code>
                </td>
                <td>
                  <code class="after">{r.after}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
