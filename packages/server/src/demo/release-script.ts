import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { SHIPPED_TEMPLATES_DIR } from '../analysis/shipped-templates.js';
import { parseDuration } from '../rollouts/duration.js';
import type { RolloutView } from '../rollouts/rollout-view.js';
import { DemoApi, DemoApiError } from './demo-api.js';
import type { GatewayService, PlatformService } from './gateway-config.js';
import type { Scenario } from './platform/scenarios.js';

/** The flag the wallet release moves with it. */
export const PAYMENTS_FLAG = 'payments_v2';
export const FLAG_ENVIRONMENT = 'prod';

/** Who the employees-first step sends to the canary; the gateway reads `x-employee` as a string. */
export const EMPLOYEES = "user.isEmployee == 'true'";

/** What a release is expected to end in, and the words its reason must contain. */
export interface Expectation {
  readonly phase: 'Healthy' | 'Aborted';
  readonly reasonIncludes?: string;
  /** One line for the terminal: what should happen. */
  readonly story: string;
}

export const EXPECTATIONS: Readonly<Record<Scenario, Expectation>> = {
  healthy: {
    phase: 'Healthy',
    story: 'the new build is healthy: every gate passes and it is promoted to 100 %',
  },
  'psp-failure': {
    phase: 'Aborted',
    reasonIncludes: 'psp=B',
    story:
      'wallet v2 fails 4 % of deposits through PSP B: deposit-success-by-psp should roll it back, naming psp=B',
  },
  latency: {
    phase: 'Aborted',
    reasonIncludes: 'deposit-latency-p95',
    story: 'wallet v2 deposits are slow (p95 ≈ 650 ms): deposit-latency-p95 (≤ 400 ms) should roll it back',
  },
  chargebacks: {
    phase: 'Aborted',
    reasonIncludes: 'chargeback-errors',
    story: 'wallet v2 fails 10 % of chargebacks: the chargeback-errors hard stop should roll it back',
  },
  'ws-regression': {
    phase: 'Aborted',
    reasonIncludes: 'ws-rtt-p95',
    story: 'game-gateway v2 answers pings ≈ 200 ms late: ws-rtt-p95 (≤ 120 ms) should roll it back',
  },
};

/** Which service a scenario's release moves, and the gates it is judged by. */
export interface ReleasePlan {
  readonly scenario: Scenario;
  /** The rollout's name: `wallet-v2`, `games-v2`. */
  readonly name: string;
  readonly service: GatewayService;
  /** The process whose v2 build the scenario changes. */
  readonly process: PlatformService;
  /** Shipped templates of each analysis step. */
  readonly stepTemplates: readonly string[];
  /** Shipped templates of the background analysis (hard stops), from the first weighted step to the end. */
  readonly backgroundTemplates: readonly string[];
  /** The endpoint name the templates' `endpoint` argument gets (gateway endpoint names: gateway-config.ts). */
  readonly endpoints: Readonly<Record<string, string>>;
  /** Whether the release moves the payments_v2 flag. */
  readonly flag: boolean;
}

export function releasePlan(scenario: Scenario): ReleasePlan {
  if (scenario === 'ws-regression') {
    return {
      scenario,
      name: 'games-v2',
      service: 'games',
      process: 'game-gateway',
      stepTemplates: ['ws-rtt-p95'],
      backgroundTemplates: [],
      endpoints: {},
      flag: false,
    };
  }
  return {
    scenario,
    name: 'wallet-v2',
    service: 'wallet',
    process: 'wallet',
    // deposit-errors-vs-baseline is not a step gate here: a comparison only passes once the baseline has failed
    // often enough to bound the ratio, which a healthy demo v1 never does within its count, so a healthy release
    // would stop as "undecided"; and it has no PSP dimension, so it could not name the PSP either.
    stepTemplates: ['deposit-success-by-psp', 'deposit-latency-p95'],
    backgroundTemplates: ['psp-success-collapse', 'chargeback-errors'],
    endpoints: {
      'deposit-success-by-psp': 'deposit',
      'deposit-latency-p95': 'deposit',
      'psp-success-collapse': 'deposit',
      'chargeback-errors': 'chargeback',
    },
    flag: true,
  };
}

type Json = Record<string, unknown>;

/** The shipped template documents as written (YAML → plain objects), by name. */
export function shippedTemplateDocuments(dir: string = SHIPPED_TEMPLATES_DIR): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f))) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      const value = doc.toJS() as Json | null;
      const name = (value?.metadata as Json | undefined)?.name;
      if (typeof name === 'string') out.set(name, value!);
    }
  }
  return out;
}

/** The name of a shipped template's demo copy: `deposit-success-by-psp-demo`, `…-demo-x20` when compressed. */
export function demoTemplateName(name: string, speed: number): string {
  return speed === 1 ? `${name}-demo` : `${name}-demo-x${String(speed).replace(/[^0-9.]/g, '')}`;
}

/** Measurement intervals cannot go below a second (analysis/read-metric.ts). */
const MIN_INTERVAL_MS = 1_000;
const DEFAULT_INTERVAL_MS = 10_000;

/**
 * A shipped template compressed `speed` times: every duration divided (interval, initial delay, failure
 * window), the interval no shorter than a second; once it hits that floor, fewer measurements, so that the
 * analysis still lasts 1/speed of its time. Conditions, confidence, limits and queries are the shipped ones: a
 * step sees fewer events in less time, which is why the demo raises the traffic with the speed. The `endpoint`
 * argument defaults to the gateway's endpoint name.
 */
export function compressTemplate(doc: Json, speed: number, endpoint?: string): Json {
  const name = (doc.metadata as Json).name as string;
  const spec = doc.spec as Json;
  const args = ((spec.args as Json[] | undefined) ?? []).map((a) =>
    a.name === 'endpoint' && endpoint !== undefined ? { ...a, value: endpoint } : a,
  );
  const metrics = (spec.metrics as Json[]).map((m) => compressMetric(m, speed));
  return {
    ...doc,
    metadata: { ...(doc.metadata as Json), name: demoTemplateName(name, speed) },
    spec: { ...spec, ...(spec.args ? { args } : {}), metrics },
  };
}

function compressMetric(m: Json, speed: number): Json {
  const intervalMs = parseDuration(m.interval) ?? DEFAULT_INTERVAL_MS;
  const interval = Math.max(MIN_INTERVAL_MS, Math.round(intervalMs / speed));
  const out: Json = { ...m, interval: `${interval}ms` };
  if (typeof m.count === 'number') {
    // Enough measurements for the consecutive-failure limit to be reachable, never more than shipped.
    const floor = Math.min(m.count, 2 * ((m.consecutiveFailureLimit as number | undefined) ?? 1) + 1);
    out.count = Math.max(floor, Math.round((m.count * intervalMs) / speed / interval));
  }
  const delay = parseDuration(m.initialDelay);
  if (delay !== undefined) out.initialDelay = `${Math.round(delay / speed)}ms`;
  const window = m.window as Json | undefined;
  const within = parseDuration(window?.within);
  if (window && within !== undefined) {
    out.window = { ...window, within: `${Math.max(MIN_INTERVAL_MS, Math.round(within / speed))}ms` };
  }
  return out;
}

/** The compressed copies a release uploads with its rollout, and each metric's measurement count. */
export function releaseTemplates(
  plan: ReleasePlan,
  speed: number,
  shipped: Map<string, Json> = shippedTemplateDocuments(),
): { templates: Json[]; counts: Map<string, number> } {
  const templates: Json[] = [];
  const counts = new Map<string, number>();
  for (const name of [...plan.stepTemplates, ...plan.backgroundTemplates]) {
    const doc = shipped.get(name);
    if (!doc) throw new Error(`no shipped analysis template named ${name} in ${SHIPPED_TEMPLATES_DIR}`);
    const t = compressTemplate(doc, speed, plan.endpoints[name]);
    templates.push(t);
    for (const m of (t.spec as Json).metrics as Json[]) {
      if (typeof m.count === 'number') counts.set(m.name as string, m.count);
    }
  }
  return { templates, counts };
}

export interface Upstreams {
  readonly stable: string;
  readonly canary: string;
  /** The canary build's version; `v2` unless a fix replaced it. */
  readonly canaryVersion?: string;
}

/** The timed pause after the employees-only step, at speed 1. */
export const EMPLOYEES_PAUSE_MS = 30_000;

/**
 * The scripted release (docs/demo.md): employees only → a timed pause → 5 % → analysis → 25 % (+ the
 * payments_v2 flag at 25 %) → analysis → 50 % → analysis → 100 %, with the hard stops in the background from the
 * first weighted step. Returned as the Rollout document `POST /api/v1/rollouts` takes.
 */
export function releaseRollout(plan: ReleasePlan, upstreams: Upstreams, speed: number): Json {
  const gate = {
    analysis: { templates: plan.stepTemplates.map((t) => ({ templateName: demoTemplateName(t, speed) })) },
  };
  const steps: Json[] = [
    { setSegment: EMPLOYEES },
    { pause: { duration: `${Math.max(1, Math.round(EMPLOYEES_PAUSE_MS / speed))}ms` } },
    { setWeight: 5 },
    gate,
    { setWeight: 25 },
    ...(plan.flag
      ? [{ setFlag: { flag: PAYMENTS_FLAG, environment: FLAG_ENVIRONMENT, rollout: 0.25 } }]
      : []),
    gate,
    { setWeight: 50 },
    gate,
    { setWeight: 100 },
  ];
  return {
    apiVersion: 'pitboss.dev/v1',
    kind: 'Rollout',
    metadata: { name: plan.name },
    spec: {
      service: plan.service,
      stable: { version: 'v1', upstreams: [upstreams.stable] },
      canary: { version: upstreams.canaryVersion ?? 'v2', upstreams: [upstreams.canary] },
      stickiness: 'playerId',
      onProviderOutage: 'pause',
      strategy: {
        canary: {
          ...(plan.backgroundTemplates.length > 0
            ? {
                analysis: {
                  startingStep: 2,
                  templates: plan.backgroundTemplates.map((t) => ({
                    templateName: demoTemplateName(t, speed),
                  })),
                },
              }
            : {}),
          steps,
        },
      },
    },
  };
}

/**
 * The second person of the four-eyes rule: payments_v2 carries the `payments` tag, so it is protected and every
 * change to it by the demo's admin becomes a change request (docs/approvals.md) that this approver token — a
 * different principal — approves.
 */
export async function createApprover(api: DemoApi): Promise<DemoApi> {
  const { token } = await api.post<{ token: string }>('/api/v1/tokens', {
    name: 'demo-approver (pitboss demo: the second person)',
    kind: 'api',
    role: 'approver',
  });
  return new DemoApi(api.url, token);
}

interface Gated {
  readonly code?: string;
  readonly changeRequest?: { readonly id: string };
}

/** A change the API filed as a change request (202) is approved by the second person, and so applied. */
async function throughApproval(answer: { status: number; body: unknown }, approver: DemoApi): Promise<void> {
  const id = (answer.body as Gated | undefined)?.changeRequest?.id;
  if (answer.status !== 202 || id === undefined) return;
  const cr = await approver.post<{ status: string; reason?: string }>(
    `/api/v1/change-requests/${id}/approve`,
    {
      comment: 'pitboss demo: reviewed by the second person',
    },
  );
  if (cr.status !== 'applied')
    throw new Error(`change request ${id} was not applied: ${cr.status} ${cr.reason ?? ''}`);
}

/**
 * Creates the payments_v2 flag (release, payments tag, protected) when it does not exist, and turns its prod
 * rollout back to 0 % so each release starts from nothing; both through a change request the approver approves.
 */
export async function prepareFlag(api: DemoApi, approver: DemoApi): Promise<void> {
  let etag: string | undefined;
  try {
    etag = (await api.call('GET', `/api/v1/flags/${PAYMENTS_FLAG}`)).etag;
  } catch (e) {
    if (!(e instanceof DemoApiError) || e.status !== 404) throw e;
    const created = await api.call('POST', '/api/v1/flags', {
      key: PAYMENTS_FLAG,
      kind: 'release',
      description: 'New payments stack of wallet v2; moved by the wallet-v2 rollout (pitboss demo).',
      owner: 'team-payments',
      tags: ['payments'],
      stickiness: 'playerId',
      environments: { [FLAG_ENVIRONMENT]: { rules: [{ rollout: 0 }] } },
    });
    await throughApproval(created, approver);
    return;
  }
  if ((await flagRollout(api)) === 0) return;
  const patched = await api.call(
    'PATCH',
    `/api/v1/flags/${PAYMENTS_FLAG}/environments/${FLAG_ENVIRONMENT}`,
    { enabled: true, rules: [{ rollout: 0 }] },
    etag ? { 'if-match': etag } : {},
  );
  await throughApproval(patched, approver);
}

/** The prod rollout fraction of payments_v2 (its unconditional percentage rule), for the terminal. */
export async function flagRollout(api: DemoApi): Promise<number | undefined> {
  const view = await api.get<{
    flag: { environments: Record<string, { rules?: { if?: string; rollout?: number }[] }> };
  }>(`/api/v1/flags/${PAYMENTS_FLAG}`);
  const rules = view.flag.environments[FLAG_ENVIRONMENT]?.rules ?? [];
  return [...rules].reverse().find((r) => r.if === undefined && r.rollout !== undefined)?.rollout;
}

/**
 * A release of an earlier demo run left under way (the demo was killed mid-release) is aborted first: its
 * routing names that run's upstreams, and a new release of the same name cannot start while it runs.
 */
export async function abortStale(api: DemoApi, name: string, deadlineMs = 60_000): Promise<boolean> {
  let view: RolloutView;
  try {
    view = await api.get<RolloutView>(`/api/v1/rollouts/${name}`);
  } catch (e) {
    if (e instanceof DemoApiError && e.status === 404) return false;
    throw e;
  }
  if (view.phase === 'Healthy' || view.phase === 'Aborted') return false;
  await api.post(`/api/v1/rollouts/${name}/abort`, { reason: 'left under way by an earlier pitboss demo' });
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    view = await api.get<RolloutView>(`/api/v1/rollouts/${name}`);
    if (view.phase === 'Aborted') return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the earlier release ${name} did not abort within ${deadlineMs / 1000} s`);
}

/** Starts the release: its compressed templates stored with it, the rollout at revision n + 1. */
export async function startRelease(
  api: DemoApi,
  plan: ReleasePlan,
  upstreams: Upstreams,
  speed: number,
): Promise<{ view: RolloutView; counts: Map<string, number>; rollout: Json }> {
  const { templates, counts } = releaseTemplates(plan, speed);
  const rollout = releaseRollout(plan, upstreams, speed);
  const view = await api.post<RolloutView>('/api/v1/rollouts', { rollout, templates });
  return { view, counts, rollout };
}

/** Whether a settled release ended as its scenario expects, and why not. */
export function judgeOutcome(scenario: Scenario, view: RolloutView): { ok: boolean; why: string } {
  const want = EXPECTATIONS[scenario];
  if (view.phase !== want.phase) return { ok: false, why: `expected ${want.phase}, ended ${view.phase}` };
  if (want.phase === 'Healthy' && view.route.weight !== 100)
    return { ok: false, why: `Healthy at weight ${view.route.weight} %, not 100 %` };
  if (want.reasonIncludes && !view.message.includes(want.reasonIncludes))
    return { ok: false, why: `the reason does not name ${want.reasonIncludes}: ${view.message}` };
  return { ok: true, why: want.phase === 'Healthy' ? 'promoted to 100 %' : `rolled back: ${view.message}` };
}
