import { formatValue } from '../flags/audit-diff.js';

/** Flag key → environment → the fields a preset sets (presets/preset.ts on the server). */
export type PresetStates = Readonly<
  Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>
>;

export interface Preset {
  readonly key: string;
  readonly description?: string;
  readonly protected: boolean;
  readonly emergency: boolean;
  readonly states: PresetStates;
}

export interface PresetView {
  readonly preset: Preset;
  readonly version: number;
  readonly archived: boolean;
  readonly updatedAt: string;
}

/** `POST /api/v1/presets/<key>/diff`: what applying would change, and what it cannot reach. */
export interface PresetDryRun {
  readonly preset: string;
  readonly version: number;
  readonly changes: Readonly<
    Record<string, Readonly<Record<string, Readonly<Record<string, { before: unknown; after: unknown }>>>>>
  >;
  readonly problems: readonly { flag: string; environment?: string; message: string }[];
}

/** `POST /api/v1/presets/<key>/apply` when it applied at once. */
export interface PresetApplied {
  readonly preset: string;
  readonly version: number;
  readonly emergency: boolean;
  readonly flags: readonly { flag: { key: string } }[];
}

/** Emergency presets first (they are what an incident reaches for), then by key. */
export function sortPresets(views: readonly PresetView[]): PresetView[] {
  return [...views].sort(
    (a, b) =>
      Number(b.preset.emergency) - Number(a.preset.emergency) || a.preset.key.localeCompare(b.preset.key),
  );
}

export interface StateRow {
  readonly flag: string;
  readonly environment: string;
  /** e.g. `killSwitch: true, rules: 2 rules`. */
  readonly fields: string;
}

/** What a preset sets, one row per flag and environment. */
export function stateRows(states: PresetStates): StateRow[] {
  return Object.entries(states).flatMap(([flag, envs]) =>
    Object.entries(envs).map(([environment, fields]) => ({
      flag,
      environment,
      fields: Object.entries(fields)
        .map(([field, value]) => `${field}: ${describeField(value)}`)
        .join(', '),
    })),
  );
}

function describeField(value: unknown): string {
  if (Array.isArray(value)) return value.length === 1 ? '1 rule' : `${value.length} rules`;
  return formatValue(value);
}

export interface DiffRow {
  readonly flag: string;
  readonly environment: string;
  readonly field: string;
  readonly before: string;
  readonly after: string;
}

/** The dry run flattened to rows: flag, environment, field, before → after. */
export function diffRows(changes: PresetDryRun['changes']): DiffRow[] {
  return Object.entries(changes).flatMap(([flag, envs]) =>
    Object.entries(envs).flatMap(([environment, fields]) =>
      Object.entries(fields).map(([field, { before, after }]) => ({
        flag,
        environment,
        field,
        before: formatValue(before),
        after: formatValue(after),
      })),
    ),
  );
}
