import type { Config } from '@pitboss/engine';
import type { Kysely } from 'kysely';
import { readState } from '../config/state.js';
import { notFound } from '../errors.js';
import type { Schema } from '../storage/schema.js';
import type { ChangeBus } from './change-bus.js';

/** What an SDK receives for one environment: the engine's config document, and its version. */
export interface Snapshot {
  readonly environment: string;
  readonly version: number;
  readonly config: Config;
  /** `JSON.stringify` of `{ version, environment, config }`, made once and shared by every stream and request. */
  readonly json: string;
}

/**
 * Builds per-environment snapshots from the database and keeps them until the change bus says they are stale,
 * so a change is read once and then written to every stream.
 */
export class SnapshotService {
  private readonly cache = new Map<string, Promise<Snapshot>>();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly db: Kysely<Schema>,
    bus: ChangeBus,
  ) {
    this.unsubscribe = bus.subscribe((change) => {
      if (change.environments === 'all') this.cache.clear();
      else for (const env of change.environments) this.cache.delete(env);
    });
  }

  get(environment: string): Promise<Snapshot> {
    let snapshot = this.cache.get(environment);
    if (snapshot === undefined) {
      snapshot = this.build(environment);
      this.cache.set(environment, snapshot);
      snapshot.catch(() => this.cache.delete(environment));
    }
    return snapshot;
  }

  close(): void {
    this.unsubscribe();
  }

  private async build(environment: string): Promise<Snapshot> {
    const state = await readState(this.db);
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
    return { environment, version: state.version, config, json };
  }
}
