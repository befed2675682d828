import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from '../api/client.js';
import { type AuditEntry, useAuditEntries } from '../live.js';
import { useSession } from '../session.js';
import {
  type AuditFilters,
  auditQuery,
  type FetchPage,
  findHead,
  loadOlder,
  matchesFilters,
  mergeNewestFirst,
} from './audit-query.js';

const PAGE = 100;

export interface AuditLog {
  readonly entries: readonly AuditEntry[];
  readonly loading: boolean;
  readonly error: unknown;
  /** False once the start of the log was reached. */
  readonly more: boolean;
  loadMore(): void;
}

/**
 * The log newest first for `filters`: finds the head, reads a page back from it, more on `loadMore`, and puts
 * entries from the live feed that pass the filters on top.
 */
export function useAuditLog(filters: AuditFilters): AuditLog {
  const { api } = useSession();
  const [entries, setEntries] = useState<AuditEntry[]>([]);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>();
  const [cursor, setCursor] = useState<{ before: number; done: boolean }>();
  const generation = useRef(0);

  const fetchPage = useCallback<FetchPage>(
    async (after, limit) =>
      (await api.get<{ entries: AuditEntry[] }>(auditQuery(filters, after, limit))).entries,
    [api, filters],
  );

  const run = useCallback(async (work: () => Promise<void>) => {
    const mine = ++generation.current;
    setLoading(true);
    setError(undefined);
    try {
      await work();
    } catch (e) {
      if (mine === generation.current) setError(e);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
  }, []);

  useEffect(() => {
    setEntries([]);
    setCursor(undefined);
    const mine = generation.current + 1;
    void run(async () => {
      const head = await findHead(unfiltered(api), await checkpointFloor(api));
      const page = await loadOlder(fetchPage, head + 1, PAGE);
      if (mine !== generation.current) return;
      setEntries((live) => mergeNewestFirst(live, page.entries));
      setCursor({ before: page.before, done: page.done });
    });
  }, [api, fetchPage, run]);

  const loadMore = useCallback(() => {
    if (!cursor || cursor.done) return;
    const mine = generation.current + 1;
    void run(async () => {
      const page = await loadOlder(fetchPage, cursor.before, PAGE);
      if (mine !== generation.current) return;
      setEntries((shown) => mergeNewestFirst(shown, page.entries));
      setCursor({ before: page.before, done: page.done });
    });
  }, [cursor, fetchPage, run]);

  useAuditEntries((entry) => {
    if (matchesFilters(entry, filters)) setEntries((shown) => mergeNewestFirst([entry], shown));
  });

  return { entries, loading, error, more: cursor !== undefined && !cursor.done, loadMore };
}

/** The head is found on the whole log: a filter would hide the last seq. */
function unfiltered(api: Api): FetchPage {
  return async (after, limit) =>
    (await api.get<{ entries: AuditEntry[] }>(`/api/v1/audit?after=${after}&limit=${limit}`)).entries;
}

/** The latest checkpoint covers that many entries: the head is at least there. */
async function checkpointFloor(api: Api): Promise<number> {
  try {
    const r = await api.get<{ latest: { size: number } | null }>('/api/v1/audit/checkpoints?limit=1');
    return r.latest?.size ?? 0;
  } catch {
    return 0;
  }
}
