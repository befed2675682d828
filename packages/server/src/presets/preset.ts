import type { DiagnosticCode, EnvironmentConfig, Flag } from '@pitboss/engine';
import { PitbossError } from '../errors.js';
import type { EnvironmentPatch, FlagStates } from '../flags/flag-service.js';

/**
 * A named bundle of flag states across environments, applied in one transaction: "return old payment" kills
 * payments_v2 in prod and canary and turns psp_b off in prod. `emergency` presets apply at once even when
 * protected; other protected presets are applied through a change request (docs/approvals.md).
 */
export interface Preset {
  readonly key: string;
  readonly description?: string;
  readonly protected: boolean;
  readonly emergency: boolean;
  readonly states: FlagStates;
}

export interface PresetView {
  readonly preset: Preset;
  readonly version: number;
  readonly archived: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * One problem of a preset: its path inside the preset, and a code from the engine's diagnostic catalogue so
 * GitOps can report it like any other document problem (tools match on `code`, people read `message`).
 */
export interface PresetProblem {
  readonly path: (string | number)[];
  readonly message: string;
  readonly code: DiagnosticCode;
}

/** One field that applying would change: flag → environment → field → before and after. */
export type PresetDiff = Record<string, Record<string, Record<string, { before: unknown; after: unknown }>>>;

const KEY = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/;
const TOP = new Set(['key', 'description', 'protected', 'emergency', 'states']);
/** The environment fields a state may set, as in PATCH /flags/:key/environments/:env. */
const FIELDS: Record<keyof EnvironmentConfig, 'boolean' | 'string' | 'array'> = {
  enabled: 'boolean',
  killSwitch: 'boolean',
  rules: 'array',
  defaultVariant: 'string',
  offVariant: 'string',
  prerequisites: 'array',
};

/**
 * Reads a preset document, refusing it with every problem and its path. Change requests carry preset bodies
 * past the route schemas, so this is the whole check, not a second one.
 */
export function readPreset(body: unknown): Preset {
  const problems: PresetProblem[] = [];
  const bad: Bad = (path, message, code = 'CONFIG_TYPE') => problems.push({ path, message, code });
  if (!isObject(body)) throw invalid([{ path: [], message: 'a preset is an object', code: 'CONFIG_TYPE' }]);
  for (const k of Object.keys(body))
    if (!TOP.has(k)) bad([k], `unknown field '${k}'`, 'CONFIG_UNKNOWN_FIELD');
  if (typeof body.key !== 'string' || !KEY.test(body.key))
    bad(
      ['key'],
      'key: 1–128 of A–Z a–z 0–9 _ - ., starting with a letter or digit',
      body.key === undefined ? 'CONFIG_REQUIRED' : 'CONFIG_INVALID_KEY',
    );
  if (body.description !== undefined && typeof body.description !== 'string')
    bad(['description'], 'description must be a string');
  for (const k of ['protected', 'emergency'] as const)
    if (body[k] !== undefined && typeof body[k] !== 'boolean') bad([k], `${k} must be true or false`);
  const states = body.states;
  if (!isObject(states) || Object.keys(states).length === 0)
    bad(
      ['states'],
      'states: { flag: { environment: { field: value } } }, at least one flag',
      states === undefined ? 'CONFIG_REQUIRED' : 'CONFIG_TYPE',
    );
  else readStates(states, bad);
  if (problems.length > 0) throw invalid(problems);
  return {
    key: body.key as string,
    ...(typeof body.description === 'string' ? { description: body.description } : {}),
    protected: body.protected === true,
    emergency: body.emergency === true,
    states: states as FlagStates,
  };
}

type Bad = (path: (string | number)[], message: string, code?: DiagnosticCode) => void;

function readStates(states: Record<string, unknown>, bad: Bad): void {
  for (const [flag, envs] of Object.entries(states)) {
    if (!isObject(envs) || Object.keys(envs).length === 0) {
      bad(['states', flag], 'a flag maps environments to fields');
      continue;
    }
    for (const [env, fields] of Object.entries(envs)) {
      const path = ['states', flag, env];
      if (!isObject(fields) || Object.keys(fields).length === 0) {
        bad(path, 'an environment maps fields to values');
        continue;
      }
      for (const [field, value] of Object.entries(fields)) {
        const type = FIELDS[field as keyof EnvironmentConfig];
        if (type === undefined) bad([...path, field], `unknown field '${field}'`, 'CONFIG_UNKNOWN_FIELD');
        else if (type === 'array' ? !Array.isArray(value) : typeof value !== type)
          bad([...path, field], `${field} must be ${type === 'array' ? 'a list' : `a ${type}`}`);
      }
    }
  }
}

/**
 * The flags and environments `states` names that are not among `flags` and `environments`. A preset may only
 * name live flags and declared environments, so a typo is caught when it is written; the preset API checks
 * against the stored state, GitOps against the state its documents will leave.
 */
export function unreachableStates(
  states: FlagStates,
  flags: ReadonlySet<string>,
  environments: ReadonlySet<string>,
): PresetProblem[] {
  const problems: PresetProblem[] = [];
  for (const [flag, envs] of Object.entries(states)) {
    // The catalogue's code for a name the model does not know, as for an undeclared environment.
    if (!flags.has(flag))
      problems.push({
        path: ['states', flag],
        message: `flag '${flag}' does not exist`,
        code: 'CONFIG_UNKNOWN_FIELD',
      });
    for (const env of Object.keys(envs))
      if (!environments.has(env))
        problems.push({
          path: ['states', flag, env],
          message: `environment '${env}' does not exist`,
          code: 'CONFIG_UNKNOWN_FIELD',
        });
  }
  return problems;
}

/** The fields that applying `states` to `flags` would change, and the flags or environments it cannot reach. */
export function diffStates(
  states: FlagStates,
  flags: ReadonlyMap<string, Flag>,
): { changes: PresetDiff; problems: { flag: string; environment?: string; message: string }[] } {
  const changes: PresetDiff = {};
  const problems: { flag: string; environment?: string; message: string }[] = [];
  for (const [key, envs] of Object.entries(states)) {
    const flag = flags.get(key);
    if (flag === undefined) {
      problems.push({ flag: key, message: `flag '${key}' does not exist` });
      continue;
    }
    for (const [env, patch] of Object.entries(envs)) {
      const config = flag.environments[env];
      if (config === undefined) {
        problems.push({ flag: key, environment: env, message: `environment '${env}' does not exist` });
        continue;
      }
      for (const [field, after] of Object.entries(patch as EnvironmentPatch)) {
        const before = config[field as keyof EnvironmentConfig] ?? null;
        if (JSON.stringify(before) === JSON.stringify(after)) continue;
        const flagChanges = changes[key] ?? {};
        changes[key] = flagChanges;
        flagChanges[env] = { ...flagChanges[env], [field]: { before, after } };
      }
    }
  }
  return { changes, problems };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function invalid(details: PresetProblem[]): PitbossError {
  return new PitbossError('VALIDATION_FAILED', details[0]?.message ?? 'invalid preset', details);
}
