import type { ExpressionProblem } from './expression-check.js';

/**
 * A rule-language condition with the engine's diagnostics under it as the user types: each with its line and
 * column and the offending line with a caret under the column, the way `pitboss validate` prints them.
 */
export function ExpressionField(props: {
  readonly id: string;
  readonly label: string;
  readonly value: string;
  readonly problems: readonly ExpressionProblem[];
  readonly onInput: (value: string) => void;
}) {
  const { id, problems } = props;
  const describedBy = problems.length > 0 ? `${id}-problems` : undefined;
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      <textarea
        id={id}
        class="code"
        rows={2}
        spellcheck={false}
        autoComplete="off"
        value={props.value}
        aria-invalid={problems.some((p) => p.severity === 'error')}
        aria-describedby={describedBy}
        placeholder="market in ['DE','SE'] && segment('employees')"
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      {problems.length > 0 && (
        <ul class="diagnostics" id={describedBy} aria-live="polite">
          {problems.map((p, i) => (
            <li key={i} class={p.severity}>
              {p.severity === 'warning' ? 'Warning' : 'Error'} at line {p.line}, column {p.column}:{' '}
              {p.message} <span class="muted small">({p.code})</span>
              <pre class="caret" aria-hidden="true">
                {p.excerpt}
              </pre>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
