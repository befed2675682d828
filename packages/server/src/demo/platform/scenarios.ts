/**
 * What each demo scenario makes the new build (v2) get wrong. v1 is always healthy and so is every version of
 * a service the scenario does not touch: a fault appears only where the plan says, so the gates that catch it
 * are the ones the rollout should name.
 */

export const SCENARIOS = ['healthy', 'psp-failure', 'latency', 'ws-regression', 'chargebacks'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const SERVICES = ['auth', 'wallet', 'bets', 'game-gateway', 'promo'] as const;
export type ServiceName = (typeof SERVICES)[number];

export const PSPS = ['A', 'B', 'C'] as const;
export type Psp = (typeof PSPS)[number];

/** A latency distribution in ms (log-normal through these two points). */
export interface Latency {
  readonly p50: number;
  readonly p95: number;
}

export interface Profile {
  readonly service: ServiceName;
  readonly version: string;
  readonly scenario: Scenario;
  /** Ordinary API calls (login, bets, balance…): tens of ms. */
  readonly apiLatency: Latency;
  /** A deposit waits for the PSP: p95 ≈ 300 ms healthy. */
  readonly depositLatency: Latency;
  /** Deposits through this PSP fail (502, no money moved) at this rate. */
  readonly pspFailure?: { readonly psp: Psp; readonly rate: number };
  /** Chargeback processing fails (500, `x-outcome: chargeback-error`) at this rate. */
  readonly chargebackFailureRate: number;
  /** The game gateway answers pings (WebSocket pong and the game's own ping message) after this delay. */
  readonly pongDelay?: Latency;
  /** Multiplies every simulated latency; 0 removes them (tests). */
  readonly latencyScale: number;
}

export function isScenario(s: string): s is Scenario {
  return (SCENARIOS as readonly string[]).includes(s);
}

export function isServiceName(s: string): s is ServiceName {
  return (SERVICES as readonly string[]).includes(s);
}

/** The faulty build is v2; any other version name behaves like v1. */
export const FAULTY_VERSION = 'v2';

export function profileFor(
  service: ServiceName,
  version: string,
  scenario: Scenario,
  overrides: Partial<Omit<Profile, 'service' | 'version' | 'scenario'>> = {},
): Profile {
  const faulty = version === FAULTY_VERSION;
  const base: Profile = {
    service,
    version,
    scenario,
    apiLatency: { p50: 12, p95: 40 },
    depositLatency: { p50: 150, p95: 300 },
    chargebackFailureRate: 0,
    latencyScale: 1,
  };
  let faults: Partial<Profile> = {};
  if (faulty && service === 'wallet' && scenario === 'psp-failure') {
    faults = { pspFailure: { psp: 'B', rate: 0.04 } };
  } else if (faulty && service === 'wallet' && scenario === 'latency') {
    faults = { depositLatency: { p50: 325, p95: 650 } };
  } else if (faulty && service === 'wallet' && scenario === 'chargebacks') {
    faults = { chargebackFailureRate: 0.1 };
  } else if (faulty && service === 'game-gateway' && scenario === 'ws-regression') {
    faults = { pongDelay: { p50: 200, p95: 260 } };
  }
  return { ...base, ...faults, ...overrides };
}
