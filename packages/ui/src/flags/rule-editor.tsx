import { useMemo } from 'preact/hooks';
import { checkExpression } from './expression-check.js';
import { ExpressionField } from './expression-field.js';
import { type MatchMode, type Outcome, type RuleDraft, ruleProblems } from './rules-draft.js';

export interface RuleEditorProps {
  readonly draft: RuleDraft;
  readonly index: number;
  readonly count: number;
  readonly idPrefix: string;
  readonly variants: readonly string[];
  /** Segment keys; undefined while loading. */
  readonly segments: readonly string[] | undefined;
  readonly onChange: (draft: RuleDraft) => void;
  readonly onMove: (delta: number) => void;
  readonly onRemove: () => void;
}

/** One rule: who it matches (everyone, a condition, a segment) and what they get (a rollout or a split). */
export function RuleEditor(props: RuleEditorProps) {
  const { draft, index, idPrefix } = props;
  const id = `${idPrefix}-${draft.id}`;
  const n = index + 1;
  const set = (patch: Partial<RuleDraft>) => props.onChange({ ...draft, ...patch });
  const known = useMemo(() => (props.segments ? new Set(props.segments) : undefined), [props.segments]);
  const exprProblems = useMemo(
    () => (draft.match === 'condition' ? checkExpression(draft.condition, known) : []),
    [draft.match, draft.condition, known],
  );
  const formProblems = ruleProblems(draft).filter((p) => !(exprProblems.length > 0 && p.startsWith('write')));

  return (
    <fieldset class="rule">
      <legend>Rule {n}</legend>
      <div class="rule-grid">
        <label for={`${id}-match`}>Match</label>
        <select
          id={`${id}-match`}
          value={draft.match}
          onChange={(e) => set({ match: e.currentTarget.value as MatchMode })}
        >
          <option value="everyone">Everyone</option>
          <option value="condition">Units matching a condition</option>
          <option value="segment">A segment</option>
        </select>
        {draft.match === 'condition' && (
          <>
            <span />
            <ExpressionField
              id={`${id}-if`}
              label="Condition"
              value={draft.condition}
              problems={exprProblems}
              onInput={(condition) => set({ condition })}
            />
          </>
        )}
        {draft.match === 'segment' && (
          <SegmentPicker id={`${id}-segment`} value={draft.segment} segments={props.segments} set={set} />
        )}
        <label for={`${id}-outcome`}>Serve</label>
        <select
          id={`${id}-outcome`}
          value={draft.outcome}
          onChange={(e) => set(switchOutcome(draft, e.currentTarget.value as Outcome, props.variants))}
        >
          <option value="rollout">A variant to a percentage</option>
          <option value="split">A split across variants</option>
        </select>
        {draft.outcome === 'rollout' ? (
          <RolloutFields id={id} draft={draft} variants={props.variants} set={set} />
        ) : (
          <SplitFields id={id} draft={draft} variants={props.variants} set={set} />
        )}
        <label for={`${id}-description`}>Description</label>
        <input
          id={`${id}-description`}
          type="text"
          value={draft.description}
          onInput={(e) => set({ description: e.currentTarget.value })}
        />
      </div>
      {formProblems.length > 0 && (
        <ul class="diagnostics">
          {formProblems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <div class="rule-actions">
        <button
          type="button"
          aria-label={`Move rule ${n} up`}
          disabled={index === 0}
          onClick={() => props.onMove(-1)}
        >
          Up
        </button>
        <button
          type="button"
          aria-label={`Move rule ${n} down`}
          disabled={index === props.count - 1}
          onClick={() => props.onMove(1)}
        >
          Down
        </button>
        <button type="button" aria-label={`Remove rule ${n}`} onClick={props.onRemove}>
          Remove
        </button>
      </div>
    </fieldset>
  );
}

type Set = (patch: Partial<RuleDraft>) => void;

function SegmentPicker(props: {
  readonly id: string;
  readonly value: string;
  readonly segments: readonly string[] | undefined;
  readonly set: Set;
}) {
  const segments = props.segments ?? [];
  const missing = props.value !== '' && !segments.includes(props.value);
  return (
    <>
      <label for={props.id}>Segment</label>
      <select
        id={props.id}
        value={props.value}
        onChange={(e) => props.set({ segment: e.currentTarget.value })}
      >
        <option value="">Choose a segment…</option>
        {segments.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
        {missing && <option value={props.value}>{props.value} (does not exist)</option>}
      </select>
    </>
  );
}

function RolloutFields(props: {
  readonly id: string;
  readonly draft: RuleDraft;
  readonly variants: readonly string[];
  readonly set: Set;
}) {
  const { id, draft, set } = props;
  // Fractions of a percent are real (canaries at 0.05 %): the number field takes them, the slider is for feel.
  const setPct = (text: string) => {
    const pct = Number(text);
    if (text.trim() !== '' && Number.isFinite(pct)) set({ rolloutPct: pct });
  };
  return (
    <>
      <label for={`${id}-variant`}>Variant</label>
      <select
        id={`${id}-variant`}
        value={draft.variant}
        onChange={(e) => set({ variant: e.currentTarget.value })}
      >
        {props.variants.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
      <label for={`${id}-rollout`}>Rollout %</label>
      <div class="rollout">
        <input
          id={`${id}-rollout`}
          type="range"
          min={0}
          max={100}
          step="any"
          value={draft.rolloutPct}
          onInput={(e) => setPct(e.currentTarget.value)}
        />
        <input
          type="number"
          aria-label="Exact percentage"
          min={0}
          max={100}
          step="any"
          value={draft.rolloutPct}
          onChange={(e) => setPct(e.currentTarget.value)}
        />
        <span aria-hidden="true">%</span>
      </div>
    </>
  );
}

function SplitFields(props: {
  readonly id: string;
  readonly draft: RuleDraft;
  readonly variants: readonly string[];
  readonly set: Set;
}) {
  const { id, draft, set } = props;
  return (
    <>
      <span class="muted small">Shares (sum 100 %)</span>
      <div class="split-row">
        {props.variants.map((v) => (
          <span key={v} class="field-inline">
            <label for={`${id}-split-${v}`}>{v} %</label>
            <input
              id={`${id}-split-${v}`}
              type="number"
              min={0}
              max={100}
              step="any"
              value={draft.split[v] ?? 0}
              onChange={(e) => set({ split: { ...draft.split, [v]: Number(e.currentTarget.value) } })}
            />
          </span>
        ))}
      </div>
    </>
  );
}

/** Switching to a split starts with the rule's variant at 100 %, so the rule still serves what it did. */
function switchOutcome(draft: RuleDraft, outcome: Outcome, variants: readonly string[]): Partial<RuleDraft> {
  if (outcome === 'rollout' || Object.keys(draft.split).length > 0) return { outcome };
  const first = variants.includes(draft.variant) ? draft.variant : (variants[0] ?? 'on');
  return { outcome, split: { [first]: 100 } };
}
