/**
 * startTraffic: players arrive at `playersPerSecond × speed` per second (a 50 ms tick accumulating credit), each
 * plays one journey with its own seeded random stream (journey n of seed s always makes the same choices), at
 * most `maxConcurrentJourneys` at once and never two at once for the same player. stop() stops arrivals, cuts
 * think times short so journeys finish their current step, waits for them, and closes every socket.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type WebSocket from 'ws';
import { Rng } from '../platform/rng.js';
import { HttpClient } from './http-client.js';
import type { TrafficHandle, TrafficOptions, TrafficSummary } from './index.js';
import { type JourneyEnv, playJourney } from './journey.js';
import { createPopulation, describePopulation } from './players.js';
import { Recorder } from './recorder.js';
import { playWsSession } from './ws-session.js';

const TICK_MS = 50;
/** How long stop() waits for journeys in flight before cutting them off. */
const STOP_GRACE_MS = 20_000;

export function startTraffic(options: TrafficOptions): TrafficHandle {
  const speed = options.speed;
  const pps = options.playersPerSecond ?? 4;
  if (!(speed > 0) || !Number.isFinite(speed))
    throw new Error(`speed must be a positive number, not ${speed}`);
  if (!(pps > 0) || !Number.isFinite(pps))
    throw new Error(`playersPerSecond must be a positive number, not ${pps}`);
  const maxConcurrent = options.maxConcurrentJourneys ?? 200;
  const runId = options.runId ?? randomUUID().slice(0, 8);
  if (!/^[A-Za-z0-9_]{1,24}$/.test(runId)) throw new Error('runId must be 1-24 letters, digits or _');
  const population = createPopulation(options.seed, runId, options.population ?? 2000);
  const recorder = new Recorder(runId, options.seed, describePopulation(population));
  const client = new HttpClient(options, recorder);
  const timeoutMs = options.requestTimeoutMs ?? 10_000;
  const live = new Set<WebSocket>();
  const busy = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  const wakers = new Set<() => void>();
  const arrivals = new Rng(options.seed, 'arrivals');
  const started = performance.now();
  let stopping = false;
  let journeyCount = 0;

  const think = (rng: Rng, minMs: number, maxMs: number): Promise<void> => {
    const ms = (minMs + rng.next() * (maxMs - minMs)) / speed;
    if (stopping || ms < 1) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      wakers.add(done);
    });
  };
  const env: JourneyEnv = {
    client,
    recorder,
    wsShare: options.wsShare ?? 0.3,
    chargebackShare: options.chargebackShare ?? 0.05,
    steps: options.steps ?? {},
    think,
    stopping: () => stopping,
    playWs: (player, rng) =>
      playWsSession(
        { baseUrl: client.base('games'), recorder, timeoutMs, think, stopping: () => stopping, live },
        player,
        // The session draws from its own stream so it cannot shift the journey's choices.
        new Rng(rng.int(0, 2 ** 31), 'ws'),
      ),
  };

  const startJourney = () => {
    if (inFlight.size >= maxConcurrent) {
      recorder.journeys.skipped++;
      return;
    }
    let player = population[arrivals.int(0, population.length - 1)];
    for (let tries = 0; player && busy.has(player.id) && tries < 5; tries++) {
      player = population[arrivals.int(0, population.length - 1)];
    }
    if (!player || busy.has(player.id)) {
      recorder.journeys.skipped++;
      return;
    }
    const n = journeyCount++;
    const p = player;
    busy.add(p.id);
    recorder.journeys.started++;
    const journey = playJourney(env, p, new Rng(options.seed, `journey/${n}`), `${runId}-j${n}`)
      .then(
        (completed) => {
          if (completed) recorder.journeys.completed++;
          else recorder.journeys.aborted++;
        },
        () => {
          recorder.journeys.aborted++;
        },
      )
      .finally(() => {
        inFlight.delete(journey);
        busy.delete(p.id);
      });
    inFlight.add(journey);
  };

  let credit = 1; // the first player arrives at once
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    credit += (pps * speed * (now - last)) / 1000;
    last = now;
    while (credit >= 1 && !stopping) {
      credit--;
      startJourney();
    }
  }, TICK_MS);

  const stats = (): TrafficSummary => {
    const s = recorder.summary(performance.now() - started, !stopping);
    return { ...s, journeys: { ...s.journeys, inFlight: inFlight.size } };
  };

  let stopped: Promise<TrafficSummary> | undefined;
  return {
    stats,
    stop() {
      stopped ??= (async () => {
        stopping = true;
        clearInterval(timer);
        for (const wake of [...wakers]) wake();
        let grace: NodeJS.Timeout | undefined;
        await Promise.race([
          Promise.allSettled([...inFlight]),
          new Promise<void>((resolve) => {
            grace = setTimeout(resolve, STOP_GRACE_MS);
          }),
        ]);
        clearTimeout(grace);
        for (const ws of live) ws.terminate();
        // Journeys still waiting on a request after the grace period get their sockets cut (uncertain outcomes).
        if (inFlight.size > 0) await client.agent.destroy().catch(() => undefined);
        else await client.close().catch(() => undefined);
        await Promise.allSettled([...inFlight]);
        return stats();
      })();
      return stopped;
    },
  };
}
