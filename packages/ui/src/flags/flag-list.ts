import type { EnvironmentConfig, FlagKind } from '@pitboss/engine';
import type { Tone } from '../components/badge.js';
import type { FlagView, StaleFlagItem, StaleReason } from './flag-types.js';

const DAY_MS = 86_400_000;
/** An expiry this close is worth a warning: an ops flag's whole default life is 7 days. */
const SOON_DAYS = 7;

export interface BadgeInfo {
  readonly label: string;
  readonly tone: Tone;
  /** Longer wording, for the title and for screen readers. */
  readonly detail?: string;
}

/** A rollout fraction as a percentage: 0.25 → "25 %", 0.0005 → "0.05 %" (steps of 0.0001 % exist). */
export function formatPercent(fraction: number): string {
  const pct = Math.round(fraction * 1_000_000) / 10_000;
  return `${pct} %`;
}

/** What one environment serves at a glance: KILLED wins, then off, then the cheapest summary of the rules. */
export function envSummary(config: EnvironmentConfig | undefined): BadgeInfo {
  if (config === undefined) return { label: '—', tone: 'neutral', detail: 'not configured' };
  if (config.killSwitch) return { label: 'KILLED', tone: 'bad', detail: 'kill switch on' };
  if (!config.enabled)
    return { label: 'off', tone: 'neutral', detail: `disabled: serves ${config.offVariant}` };
  const { rules } = config;
  if (rules.length === 0) return { label: 'on', tone: 'good', detail: `serves ${config.defaultVariant}` };
  const [only] = rules;
  if (rules.length === 1 && only?.rollout !== undefined) {
    const scope = only.if === undefined ? '' : ' of matching';
    return { label: 'on', tone: 'good', detail: `${formatPercent(only.rollout)}${scope}` };
  }
  return { label: 'on', tone: 'good', detail: rules.length === 1 ? '1 rule' : `${rules.length} rules` };
}

/** The TTL badge: expired → bad, within 7 days → warn, later → neutral; null is "never", undefined unknown. */
export function expiryBadge(expiresAt: string | null | undefined, nowMs: number): BadgeInfo | undefined {
  if (expiresAt === undefined) return undefined;
  if (expiresAt === null) return { label: 'no expiry', tone: 'neutral' };
  const days = (Date.parse(expiresAt) - nowMs) / DAY_MS;
  if (days <= 0) return { label: `expired ${wholeDays(-days)} ago`, tone: 'bad', detail: expiresAt };
  if (days <= SOON_DAYS) return { label: `expires in ${wholeDays(days)}`, tone: 'warn', detail: expiresAt };
  return { label: `expires in ${wholeDays(days)}`, tone: 'neutral', detail: expiresAt };
}

function wholeDays(days: number): string {
  if (days < 1) return `${Math.max(1, Math.round(days * 24))} h`;
  return `${Math.floor(days)} d`;
}

/** One stale reason in words, e.g. "unused: never evaluated" or "fully rolled out (on)". */
export function staleReasonText(reason: StaleReason): string {
  switch (reason.reason) {
    case 'expired':
      return reason.daysOverdue > 0 ? `expired ${reason.daysOverdue} d ago` : 'expired';
    case 'unused':
      return reason.lastEvaluatedAt === null
        ? 'unused: never evaluated'
        : `unused since ${reason.lastEvaluatedAt.slice(0, 10)}`;
    case 'fully_rolled_out':
      return `fully rolled out (${reason.variant}) since ${reason.unchangedSince.slice(0, 10)}`;
  }
}

export interface FlagFilter {
  readonly search: string;
  /** '' = every kind. */
  readonly kind: FlagKind | '';
  /** '' = every environment; otherwise the column "killed only" looks at. */
  readonly environment: string;
  readonly killedOnly: boolean;
  readonly staleOnly: boolean;
}

export const NO_FILTER: FlagFilter = {
  search: '',
  kind: '',
  environment: '',
  killedOnly: false,
  staleOnly: false,
};

/** Case-insensitive match on key, description, owner and tags; every word of the query must match. */
export function matchesSearch(view: FlagView, search: string): boolean {
  const { flag } = view;
  const text = [flag.key, flag.description ?? '', flag.owner ?? '', ...flag.tags].join(' ').toLowerCase();
  return search
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => text.includes(word));
}

export function filterFlags(
  views: readonly FlagView[],
  filter: FlagFilter,
  stale: ReadonlyMap<string, StaleFlagItem>,
): FlagView[] {
  return views.filter((view) => {
    if (filter.kind !== '' && view.flag.kind !== filter.kind) return false;
    if (filter.staleOnly && !stale.has(view.flag.key)) return false;
    if (filter.killedOnly && !isKilled(view, filter.environment)) return false;
    return matchesSearch(view, filter.search);
  });
}

/** Killed in `environment`, or in any environment when it is ''. */
function isKilled(view: FlagView, environment: string): boolean {
  const envs = Object.entries(view.flag.environments);
  return envs.some(([key, config]) => (environment === '' || key === environment) && config.killSwitch);
}

/** Environments in promotion order, then any the flag has that the list does not (should not happen). */
export function environmentOrder(known: readonly string[], views: readonly FlagView[]): string[] {
  const extra = new Set<string>();
  for (const v of views) for (const env of Object.keys(v.flag.environments)) extra.add(env);
  for (const env of known) extra.delete(env);
  return [...known, ...[...extra].sort()];
}
