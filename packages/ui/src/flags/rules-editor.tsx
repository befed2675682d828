import type { EnvironmentConfig } from '@pitboss/engine';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { path } from '../api/client.js';
import { ErrorNote } from '../components/error-note.js';
import { useSession } from '../session.js';
import { blocks, checkExpression } from './expression-check.js';
import type { ApprovalRequired, FlagView } from './flag-types.js';
import { approvalOf, SentForApproval } from './outcome.js';
import { RuleEditor } from './rule-editor.js';
import { type EnvDraft, moveItem, newRuleDraft, ruleProblems, toEnvDraft, toPatch } from './rules-draft.js';

export interface RulesEditorProps {
  readonly flagKey: string;
  readonly env: string;
  readonly config: EnvironmentConfig;
  readonly variants: readonly string[];
  /** The flag's ETag, sent back as If-Match. */
  readonly etag: string | null;
  readonly segments: readonly string[] | undefined;
  readonly canEdit: boolean;
  readonly onReload: () => void;
}

/**
 * One environment's targeting: enabled, default and off variants, and the ordered rules. The form edits a draft
 * of the config it was opened on; when the flag changes underneath (live feed) an untouched form follows, and
 * an edited one says so instead of silently dropping the person's work.
 */
export function RulesEditor(props: RulesEditorProps) {
  const { api } = useSession();
  const { config, variants, env } = props;
  const [base, setBase] = useState(config);
  // The version the draft was made from: saving sends it as If-Match, so a change in between answers 409.
  const [baseEtag, setBaseEtag] = useState(props.etag);
  const [draft, setDraft] = useState<EnvDraft>(() => toEnvDraft(config, variants));
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<string>();
  const [approval, setApproval] = useState<ApprovalRequired>();
  const nextId = useRef(1000);

  const patch = toPatch(base, draft);
  const dirty = Object.keys(patch).length > 0;
  const changedUnderneath = props.etag !== baseEtag;
  useEffect(() => {
    // Nothing of the person's to lose: follow the flag as it is now.
    if (changedUnderneath && !dirty) reset();
  });
  const known = useMemo(() => (props.segments ? new Set(props.segments) : undefined), [props.segments]);
  const invalid = draft.rules.some(
    (r) =>
      ruleProblems(r).length > 0 || (r.match === 'condition' && blocks(checkExpression(r.condition, known))),
  );

  const update = (next: Partial<EnvDraft>) => {
    setSaved(undefined);
    setApproval(undefined);
    setDraft({ ...draft, ...next });
  };
  const reset = () => {
    setBase(config);
    setBaseEtag(props.etag);
    setDraft(toEnvDraft(config, variants));
    setError(undefined);
  };

  const save = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const r = await api.patch<FlagView>(path`/api/v1/flags/${props.flagKey}/environments/${env}`, patch, {
        ifMatch: baseEtag,
        ...(reason.trim() ? { reason: reason.trim() } : {}),
      });
      const pending = approvalOf(r.status, r.body);
      const now = pending ? base : (r.body.flag.environments[env] ?? config);
      setApproval(pending);
      setSaved(pending ? undefined : `Saved ${props.flagKey} in ${env}.`);
      setBase(now);
      if (!pending) setBaseEtag(r.etag);
      setDraft(toEnvDraft(now, variants));
      setReason('');
      props.onReload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="panel" aria-labelledby="rules-title">
      <h2 id="rules-title">Targeting in {env}</h2>
      {changedUnderneath && dirty && (
        <div class="notice changed-notice" role="status">
          Someone changed this flag while you were editing; saving would be refused.{' '}
          <button type="button" class="link" onClick={reset}>
            Discard my edits and load the latest
          </button>
        </div>
      )}
      <fieldset disabled={!props.canEdit || busy} style={{ border: 'none', padding: 0, margin: 0 }}>
        {!props.canEdit && <p class="muted small">Read only: viewers cannot change flags.</p>}
        <EnvSettings draft={draft} variants={variants} env={env} update={update} />
        {draft.rules.length === 0 && <p class="muted">No rules: every unit gets the default variant.</p>}
        {draft.rules.map((rule, i) => (
          <RuleEditor
            key={rule.id}
            draft={rule}
            index={i}
            count={draft.rules.length}
            idPrefix={`rule-${env}`}
            variants={variants}
            segments={props.segments}
            onChange={(r) => update({ rules: draft.rules.map((x) => (x.id === r.id ? r : x)) })}
            onMove={(delta) => update({ rules: moveItem(draft.rules, i, delta) })}
            onRemove={() => update({ rules: draft.rules.filter((x) => x.id !== rule.id) })}
          />
        ))}
        <button
          type="button"
          onClick={() => update({ rules: [...draft.rules, newRuleDraft(nextId.current++, variants)] })}
        >
          Add rule
        </button>
        <div class="save-bar">
          <label for={`save-reason-${env}`}>Reason</label>
          <input
            id={`save-reason-${env}`}
            type="text"
            maxLength={1000}
            value={reason}
            placeholder="why (recorded in the audit log)"
            onInput={(e) => setReason(e.currentTarget.value)}
          />
          <button type="button" class="primary" disabled={!dirty || invalid} onClick={save}>
            {busy ? 'Saving…' : 'Save'}
          </button>
          <button type="button" disabled={!dirty} onClick={reset}>
            Discard changes
          </button>
          <span class="muted small" role="status">
            {invalid ? 'Fix the problems above to save.' : dirty ? 'Unsaved changes.' : ''}
          </span>
        </div>
      </fieldset>
      {saved && (
        <p class="notice" role="status">
          {saved}
        </p>
      )}
      {approval && <SentForApproval approval={approval} />}
      <ErrorNote error={error} onReload={reset} />
    </section>
  );
}

function EnvSettings(props: {
  readonly draft: EnvDraft;
  readonly variants: readonly string[];
  readonly env: string;
  readonly update: (next: Partial<EnvDraft>) => void;
}) {
  const { draft, env, update } = props;
  const options = props.variants.map((v) => (
    <option key={v} value={v}>
      {v}
    </option>
  ));
  return (
    <div class="env-settings">
      <span class="field-inline">
        <input
          id={`enabled-${env}`}
          type="checkbox"
          checked={draft.enabled}
          onChange={(e) => update({ enabled: e.currentTarget.checked })}
        />
        <label for={`enabled-${env}`}>Enabled</label>
      </span>
      <span class="field">
        <label for={`default-${env}`}>Default variant</label>
        <select
          id={`default-${env}`}
          value={draft.defaultVariant}
          onChange={(e) => update({ defaultVariant: e.currentTarget.value })}
        >
          {options}
        </select>
      </span>
      <span class="field">
        <label for={`off-${env}`}>Off variant</label>
        <select
          id={`off-${env}`}
          value={draft.offVariant}
          onChange={(e) => update({ offVariant: e.currentTarget.value })}
        >
          {options}
        </select>
      </span>
    </div>
  );
}
