import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { RouteSpec, RouteState, TrafficRouter } from '../../routing/router.js';

/** One router call as the journal records it. */
export type JournalEntry =
  | { readonly op: 'setWeight'; readonly weight: number }
  | { readonly op: 'setSegment'; readonly segment: string | null }
  | { readonly op: 'setMirror'; readonly percent: number }
  | { readonly op: 'reset' };

/**
 * A traffic router whose live routing is a file: every call is appended synchronously (JSON Lines) before it
 * returns, so a process killed right after a call leaves it recorded, and a restarted process sees the routing
 * the previous one left. The crash-safety test reads the journal to check what the router was ever told.
 */
export class JournalRouter implements TrafficRouter {
  readonly kind = 'journal';

  constructor(private readonly file: string) {}

  async setWeight(_route: RouteSpec, weight: number): Promise<void> {
    this.append({ op: 'setWeight', weight });
  }

  async setSegment(_route: RouteSpec, segment: string | undefined): Promise<void> {
    this.append({ op: 'setSegment', segment: segment ?? null });
  }

  async setMirror(_route: RouteSpec, percent: number): Promise<void> {
    this.append({ op: 'setMirror', percent });
  }

  async verify(_route: RouteSpec, expected: RouteState): Promise<boolean> {
    const live = liveRoute(readJournal(this.file));
    return (
      live.weight === expected.weight &&
      live.mirror === expected.mirror &&
      (live.segment ?? '') === (expected.segment ?? '')
    );
  }

  async reset(): Promise<void> {
    this.append({ op: 'reset' });
  }

  private append(entry: JournalEntry): void {
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
  }
}

export function readJournal(file: string): JournalEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as JournalEntry);
}

/** The routing the journal leaves: stable only until told otherwise. */
export function liveRoute(entries: readonly JournalEntry[]): RouteState {
  let route: { weight: number; segment?: string; mirror: number } = { weight: 0, mirror: 0 };
  for (const e of entries) {
    if (e.op === 'setWeight') route = { ...route, weight: e.weight };
    else if (e.op === 'setMirror') route = { ...route, mirror: e.percent };
    else if (e.op === 'reset') route = { weight: 0, mirror: 0 };
    else if (e.segment === null) {
      const { segment: _drop, ...rest } = route;
      route = rest;
    } else route = { ...route, segment: e.segment };
  }
  return route;
}
