import type { ComponentChildren } from 'preact';

const tabId = (env: string) => `env-tab-${env}`;
export const ENV_PANEL_ID = 'env-panel';

/**
 * Environments as ARIA tabs (WAI-ARIA APG "Tabs with automatic activation"): one tab stop, arrow keys, Home and
 * End move between environments, so a keyboard user reaches prod's kill switch without tabbing through dev's.
 */
export function EnvTabs(props: {
  readonly environments: readonly string[];
  readonly selected: string;
  readonly onSelect: (env: string) => void;
  readonly badge: (env: string) => ComponentChildren;
}) {
  const { environments, selected } = props;
  const select = (env: string | undefined) => {
    if (env === undefined) return;
    props.onSelect(env);
    document.getElementById(tabId(env))?.focus();
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const i = environments.indexOf(selected);
    const n = environments.length;
    const to: Record<string, number> = { ArrowRight: i + 1, ArrowLeft: i - 1 + n, Home: 0, End: n - 1 };
    const next = to[e.key];
    if (next === undefined) return;
    e.preventDefault();
    select(environments[next % n]);
  };
  return (
    <div class="env-tabs" role="tablist" aria-label="Environments" onKeyDown={onKeyDown}>
      {environments.map((env) => (
        <button
          key={env}
          type="button"
          role="tab"
          id={tabId(env)}
          aria-selected={env === selected}
          aria-controls={ENV_PANEL_ID}
          tabIndex={env === selected ? 0 : -1}
          onClick={() => select(env)}
        >
          {/* The badge is part of the tab's name ("prod KILLED"): WCAG 2.5.3, the name holds what is shown. */}
          {env} {props.badge(env)}
        </button>
      ))}
    </div>
  );
}

export function EnvPanel({ env, children }: { readonly env: string; readonly children: ComponentChildren }) {
  return (
    <div role="tabpanel" id={ENV_PANEL_ID} aria-labelledby={tabId(env)}>
      {children}
    </div>
  );
}
