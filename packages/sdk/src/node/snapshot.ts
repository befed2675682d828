import { type CompiledConfig, compile } from '@pitboss/engine';

/** What the control plane serves (`GET /sdk/v1/snapshot`, SSE `snapshot`/`change`), also what the cache file holds. */
export interface Snapshot {
  readonly version: number;
  readonly environment?: string;
  readonly config: unknown;
}

/** A snapshot the client accepted: compiled, with the flags whose config has errors. */
export interface LoadedConfig {
  readonly version: number;
  readonly snapshot: Snapshot;
  readonly compiled: CompiledConfig;
  readonly broken: ReadonlySet<string>;
}

/** A snapshot that must not replace the current config; the message says why. */
export class RejectedSnapshot extends Error {
  override readonly name = 'RejectedSnapshot';
}

/**
 * Reads a snapshot from JSON text or a parsed value. With `bareConfig`, a plain config document (as authored,
 * or as `pitboss export` writes it) is accepted too, as version 0, so any server version supersedes it.
 */
export function parseSnapshot(input: unknown, bareConfig = false): Snapshot | RejectedSnapshot {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (err) {
      return new RejectedSnapshot(`malformed JSON: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return new RejectedSnapshot('a snapshot must be a JSON object');
  const v = value as Record<string, unknown>;
  if ('config' in v) {
    if (typeof v.version !== 'number' || !Number.isSafeInteger(v.version) || v.version < 0)
      return new RejectedSnapshot('a snapshot needs a non-negative integer version');
    if (v.environment !== undefined && typeof v.environment !== 'string')
      return new RejectedSnapshot('a snapshot environment must be a string');
    return {
      version: v.version,
      config: v.config,
      ...(v.environment === undefined ? {} : { environment: v.environment as string }),
    };
  }
  if (bareConfig) return { version: 0, config: value };
  return new RejectedSnapshot('a snapshot needs version and config');
}

/**
 * Compiles a snapshot for `environment` and decides whether it may replace `previous`. A snapshot is refused when
 * it is for another environment, lacks the environment (when there is a previous config), has errors that belong to no flag (the document itself
 * is wrong), or breaks a flag that evaluated fine in `previous`: serving the old config beats serving errors.
 * A flag that was already broken, or is new and broken, is accepted; the engine answers `ERROR`/`PARSE_ERROR`.
 */
export function loadSnapshot(
  snapshot: Snapshot,
  environment: string,
  previous: LoadedConfig | undefined,
  clock: () => number,
): LoadedConfig | RejectedSnapshot {
  if (snapshot.environment !== undefined && snapshot.environment !== environment)
    return new RejectedSnapshot(
      `snapshot is for environment '${snapshot.environment}', not '${environment}'`,
    );
  const { config, diagnostics } = compile(snapshot.config, { now: clock(), clock });
  const broken = new Set<string>();
  for (const d of diagnostics) {
    if (d.severity !== 'error') continue;
    if (d.flag === undefined) return new RejectedSnapshot(`invalid config: ${d.code} ${d.message}`);
    broken.add(d.flag);
  }
  if (previous !== undefined) {
    // Without its environment every flag would answer ENVIRONMENT_NOT_FOUND. A first config is taken anyway
    // (nothing better exists, and the engine's error names the problem); a later one must not break the good one.
    if (!config.model.environments.includes(environment))
      return new RejectedSnapshot(`config has no environment '${environment}'`);
    for (const key of broken) {
      if (previous.compiled.flag(key) !== undefined && !previous.broken.has(key))
        return new RejectedSnapshot(
          `config breaks flag '${key}', which was fine in version ${previous.version}`,
        );
    }
  }
  return { version: snapshot.version, snapshot, compiled: config, broken };
}
