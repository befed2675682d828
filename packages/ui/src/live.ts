import type { AuditEntry } from '@pitboss/server/api-types';
import { useEffect, useRef } from 'preact/hooks';
import { followStream } from './api/sse.js';
import { useSession } from './session.js';

/** An audit entry as `GET /api/v1/audit` and the `/api/v1/events` stream give it. */
export type { AuditEntry } from '@pitboss/server/api-types';

type Listener = (entry: AuditEntry) => void;

/**
 * The console's one live feed: the audit log as Server-Sent Events (`GET /api/v1/events`). Every change anyone
 * makes — a flag edit, an approval, a rollout step — is an audit entry, so pages reload what an entry touches
 * instead of polling.
 */
export class LiveFeed {
  private readonly listeners = new Set<Listener>();
  private readonly stateListeners = new Set<(connected: boolean) => void>();
  private stop: (() => void) | undefined;
  connected = false;

  constructor(private readonly token: string) {}

  start(): void {
    this.stop ??= followStream('/api/v1/events', {
      token: this.token,
      onEvent: (event) => {
        if (event.event !== 'audit') return;
        const entry = JSON.parse(event.data) as AuditEntry;
        for (const listener of this.listeners) listener(entry);
      },
      onState: (connected) => {
        this.connected = connected;
        for (const listener of this.stateListeners) listener(connected);
      },
    });
  }

  close(): void {
    this.stop?.();
    this.stop = undefined;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onConnection(listener: (connected: boolean) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }
}

/** Calls `onEntry` for each new audit entry while the component is mounted. */
export function useAuditEntries(onEntry: Listener): void {
  const { live } = useSession();
  const latest = useRef(onEntry);
  latest.current = onEntry;
  useEffect(() => live.subscribe((e) => latest.current(e)), [live]);
}
