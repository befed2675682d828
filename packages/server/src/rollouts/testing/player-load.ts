/** One deposit as a player saw it. */
export interface ServedDeposit {
  readonly player: string;
  /** `x-pitboss-version` of the response; undefined when no response came. */
  readonly version: string | undefined;
  /** 0 when the request failed without a response. */
  readonly status: number;
  /**
   * The gateway's live canary weight while the request was in flight: read before and after it, and left
   * undefined when the routing changed meanwhile (the request could have been routed by either).
   */
  readonly weight: number | undefined;
}

export interface PlayerLoadOptions {
  /** The gateway's base URL; deposits go to `POST <url>/wallet/deposit`. */
  readonly url: string;
  /** Distinct player ids (`player-<n>`), split between the workers so each player's deposits are in order. */
  readonly players: number;
  readonly workers: number;
  /** The gateway's live canary weight for the service. */
  readonly weight: () => number | undefined;
  /** Pause between one worker's deposits, to leave the shared cores to the rest of the test. */
  readonly pauseMs?: number;
}

/**
 * Players depositing through the gateway while a release moves: a few concurrent workers, each cycling through
 * its own players with an `x-player-id` header, recording which version served each deposit at which weight.
 */
export class PlayerLoad {
  readonly served: ServedDeposit[] = [];
  private stopped = false;
  private workers: Promise<void>[] = [];

  private constructor(private readonly options: PlayerLoadOptions) {}

  static start(options: PlayerLoadOptions): PlayerLoad {
    const load = new PlayerLoad(options);
    load.workers = Array.from({ length: options.workers }, (_, w) => load.work(w));
    return load;
  }

  /** Stops the workers and waits for their deposits in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.workers);
  }

  /** Player → the versions that served them while the weight was exactly `weight`. */
  versionsAt(weight: number): Map<string, Set<string>> {
    const out = new Map<string, Set<string>>();
    for (const r of this.served) {
      if (r.weight !== weight || r.version === undefined) continue;
      const versions = out.get(r.player) ?? new Set<string>();
      versions.add(r.version);
      out.set(r.player, versions);
    }
    return out;
  }

  private async work(worker: number): Promise<void> {
    const { url, players, workers, weight, pauseMs = 5 } = this.options;
    const mine = Array.from({ length: players }, (_, i) => i).filter((i) => i % workers === worker);
    for (let n = 0; !this.stopped; n++) {
      const player = `player-${mine[n % mine.length]}`;
      const before = weight();
      let version: string | undefined;
      let status = 0;
      try {
        const res = await fetch(`${url}/wallet/deposit`, {
          method: 'POST',
          headers: { 'x-player-id': player, 'content-type': 'application/json' },
          body: '{"amount":10}',
        });
        await res.arrayBuffer();
        status = res.status;
        version = res.headers.get('x-pitboss-version') ?? undefined;
      } catch {
        // Recorded as status 0: a test asserting on errors sees it.
      }
      const after = weight();
      this.served.push({ player, version, status, weight: before === after ? before : undefined });
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }
}
