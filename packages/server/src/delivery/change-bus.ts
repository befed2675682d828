/**
 * Tells every interested part of this server — SSE streams, caches — that the configuration changed. One
 * interface, one file per implementation: in-process here; across replicas over PostgreSQL LISTEN/NOTIFY.
 */
export interface Change {
  /** The audit sequence number of the last entry the change wrote: the configuration version. */
  readonly version: number;
  /**
   * Environments whose snapshot changed; `all` for changes to segments or environments themselves; none for a
   * change that only wrote audit entries (a token, a rollout transition): the audit-log stream still wants it.
   */
  readonly environments: readonly string[] | 'all';
}

export type ChangeListener = (change: Change) => void;

export interface ChangeBus {
  publish(change: Change): Promise<void>;
  subscribe(listener: ChangeListener): () => void;
  close(): Promise<void>;
}

/** Listeners in this process only: enough for SQLite, which has one server per database file. */
export class LocalChangeBus implements ChangeBus {
  private readonly listeners = new Set<ChangeListener>();

  async publish(change: Change): Promise<void> {
    for (const listener of this.listeners) listener(change);
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
