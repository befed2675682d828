import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { type CompiledConfig, type Config, compile } from '@pitboss/engine';
import type { Kysely } from 'kysely';
import { readState } from '../config/state.js';
import { notFound } from '../errors.js';
import type { Schema } from '../storage/schema.js';
import type { Change, ChangeBus } from './change-bus.js';

const gzipAsync = promisify(gzip);

/**
 * What an SDK receives for one environment: the engine's config document and its version. Immutable; the
 * derived forms (gzip bytes, compiled config) are made on first use and kept, so each is made once per version
 * however many requests and streams ask for it.
 */
export class Snapshot {
  private gzipped: Promise<Buffer> | undefined;
  private compiledConfig: CompiledConfig | undefined;

  constructor(
    readonly environment: string,
    readonly version: number,
    readonly config: Config,
    /** `JSON.stringify` of `{ version, environment, config }`, made once and shared by every stream and request. */
    readonly json: string,
  ) {}

  /** `json` compressed with gzip: once per snapshot, never per request. */
  gzip(): Promise<Buffer> {
    this.gzipped ??= gzipAsync(this.json);
    return this.gzipped;
  }

  /** The config compiled by the engine, for remote evaluation: once per snapshot. */
  compiled(): CompiledConfig {
    // Stored flags were validated on write, so diagnostics are empty; were one broken anyway, the engine still
    // compiles it to an evaluator answering ERROR / PARSE_ERROR, which is what the caller should see.
    this.compiledConfig ??= compile(this.config).config;
    return this.compiledConfig;
  }
}

interface Entry {
  readonly snapshot: Promise<Snapshot>;
  /** Known once built; a pending entry is always considered stale by a change. */
  version: number | undefined;
}

/**
 * Builds per-environment snapshots from the database and keeps them until the change bus says they are stale,
 * so a change is read once and then written to every stream. Invalidation is by version: a change drops only
 * snapshots older than it, so the same change arriving twice (locally, then echoed by PostgreSQL NOTIFY) or late
 * costs nothing.
 */
export class SnapshotService {
  private readonly cache = new Map<string, Entry>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly db: Kysely<Schema>,
    bus: ChangeBus,
  ) {
    this.unsubscribe = bus.subscribe((change) => this.invalidate(change));
  }

  /**
   * The snapshot of `environment`, at least at version `atLeast` when the caller knows that version exists
   * (an SDK resuming with a `Last-Event-ID` it got from another replica, whose change has not reached this one
   * yet): then a cached older snapshot is rebuilt from the database rather than served.
   */
  async get(environment: string, atLeast = 0): Promise<Snapshot> {
    const cached = await this.entry(environment).snapshot;
    if (cached.version >= atLeast) return cached;
    this.drop(environment, cached.version + 1);
    return this.entry(environment).snapshot;
  }

  close(): void {
    this.unsubscribe();
  }

  private invalidate(change: Change): void {
    const envs = change.environments === 'all' ? [...this.cache.keys()] : change.environments;
    for (const env of envs) this.drop(env, change.version);
  }

  /** Forgets the cached snapshot of `environment` if it may be older than `version`. */
  private drop(environment: string, version: number): void {
    const entry = this.cache.get(environment);
    if (entry !== undefined && (entry.version === undefined || entry.version < version))
      this.cache.delete(environment);
  }

  private entry(environment: string): Entry {
    let entry = this.cache.get(environment);
    if (entry === undefined) {
      const created: Entry = { snapshot: this.build(environment), version: undefined };
      created.snapshot.then(
        (s) => {
          created.version = s.version;
        },
        () => {
          if (this.cache.get(environment) === created) this.cache.delete(environment);
        },
      );
      this.cache.set(environment, created);
      entry = created;
    }
    return entry;
  }

  private async build(environment: string): Promise<Snapshot> {
    // One REPEATABLE READ transaction (PostgreSQL; SQLite's single connection is consistent anyway): the version
    // and the rows come from the same database snapshot, so a version always names exactly one content — the
    // ETag and the SSE event id depend on that.
    const state = await this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute((tx) => readState(tx));
    if (!state.environments.includes(environment)) throw notFound('environment', environment);
    const config: Config = {
      schemaVersion: 1,
      environments: [environment],
      segments: state.segments.map((s) => s.segment),
      flags: state.flags.map(({ flag }) => {
        const own = flag.environments[environment];
        return { ...flag, environments: own === undefined ? {} : { [environment]: own } };
      }),
    };
    const json = JSON.stringify({ version: state.version, environment, config });
    return new Snapshot(environment, state.version, config, json);
  }
}
