import type { EnvironmentConfig, Flag } from '@pitboss/engine';
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
  const problems: { path: (string | number)[]; message: string }[] = [];
  const bad = (path: (string | number)[], message: string) => problems.push({ path, message });
  if (!isObject(body)) throw invalid([{ path: [], message: 'a preset is an object' }]);
  for (const k of Object.keys(body)) if (!TOP.has(k)) bad([k], `unknown field '${k}'`);
  if (typeof body.key !== 'string' || !KEY.test(body.key))
    bad(['key'], 'key: 1–128 of A–Z a–z 0–9 _ - ., starting with a letter or digit');
  if (body.description !== undefined && typeof body.description !== 'string')
    bad(['description'], 'description must be a string');
  for (const k of ['protected', 'emergency'] as const)
    if (body[k] !== undefined && typeof body[k] !== 'boolean') bad([k], `${k} must be true or false`);
  const states = body.states;
  if (!isObject(states) || Object.keys(states).length === 0)
    bad(['states'], 'states: { flag: { environment: { field: value } } }, at least one flag');
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

function readStates(
  states: Record<string, unknown>,
  bad: (path: (string | number)[], message: string) => void,
): void {
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
        if (type === undefined) bad([...path, field], `unknown field '${field}'`);
        else if (type === 'array' ? !Array.isArray(value) : typeof value !== type)
          bad([...path, field], `${field} must be ${type === 'array' ? 'a list' : `a ${type}`}`);
      }
    }
  }
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

function invalid(details: { path: (string | number)[]; message: string }[]): PitbossError {
  return new PitbossError('VALIDATION_FAILED', details[0]?.message ?? 'invalid preset', details);
}
