import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import type { AuditVerification } from '../audit/audit-verify.js';
import { generateToken } from '../auth/tokens.js';
import type { RolloutView } from '../rollouts/rollout-view.js';
import { DemoApi } from './demo-api.js';
import {
  type ControlPlaneInfo,
  type GatewayProcessInfo,
  type Platform,
  portOrAny,
  startControlPlane,
  startDemoGateway,
  startPlatform,
  startService,
} from './launch.js';
import type { Scenario } from './platform/scenarios.js';
import { describeExit, ProcessError, ProcessGroup } from './processes.js';
import {
  abortStale,
  createApprover,
  EXPECTATIONS,
  flagRollout,
  judgeOutcome,
  prepareFlag,
  type ReleasePlan,
  releasePlan,
  startRelease,
} from './release-script.js';
import { shippedName, TerminalView, trafficLine } from './terminal-view.js';
import {
  type LedgerVerification,
  startTraffic,
  type TrafficHandle,
  type TrafficOptions,
  verifyLedger,
} from './traffic/index.js';

export interface DemoOptions {
  /** One release of this scenario; undefined: psp-failure (rolled back), then healthy (promoted). */
  readonly scenario?: Scenario;
  /** Compressed time: pauses, measurement intervals and analysis lengths divided by it, traffic multiplied. */
  readonly speed: number;
  /** Player journeys per second at speed 1 (times the speed, up to what one machine plays: MAX_JOURNEYS). */
  readonly rate: number;
  /** `full` journeys (login, deposit, bets, chargebacks, promos, withdrawals, game sockets) or `payments` only. */
  readonly journeys: Journeys;
  /** API port (0: any free one; a busy one falls back to any). */
  readonly port: number;
  readonly gatewayPort: number;
  readonly dataDir: string;
  readonly seed: number;
  /** Exit after the scripted release(s) instead of running on until Ctrl-C. */
  readonly once: boolean;
  /** PITBOSS_ADMIN_TOKEN, when set; otherwise one is generated for this run. */
  readonly adminToken?: string;
  /** Ctrl-C. */
  readonly signal: AbortSignal;
  readonly out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
}

/** One release's result, for the exit code and the summary. */
export interface ReleaseResult {
  readonly scenario: Scenario;
  readonly view: RolloutView;
  readonly matched: boolean;
  readonly why: string;
  readonly ledger?: LedgerVerification;
  readonly audit?: AuditVerification;
}

export type Journeys = 'full' | 'payments';

/**
 * Journeys per second one machine plays beside the platform without slowing it down (which would move the
 * latency gates): the compressed demo raises the traffic with the speed up to this. A payments journey (login,
 * deposit, sometimes a chargeback, a withdrawal) is a third of the requests of a full one.
 */
export const MAX_JOURNEYS: Readonly<Record<Journeys, number>> = { full: 50, payments: 120 };

const POLL_MS = 500;
/** The scripted release at speed 1 when every gate runs its full count: a 30 s pause and three 5-minute steps. */
const NOMINAL_RELEASE_MS = 30_000 + 3 * 300_000;
const ONCE_DEADLINE_MS = 5 * 60_000;
const FLAG_POLL_MS = 2_000;

/** Thrown when Ctrl-C arrives while the demo waits. */
class Stopped extends Error {}

/**
 * `pitboss demo`: the control plane, the gateway and ten platform service processes, a traffic generator
 * playing players through the gateway, and one or two scripted releases followed live on the terminal. Answers
 * the exit code: 0 when every release ended as its scenario expects and the ledger and the audit log check out
 * (or Ctrl-C stopped a demo running on), 1 when a release, the ledger or the audit log did not, 2 on an error.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const dataDir = resolve(options.dataDir);
  const demoDir = join(dataDir, 'demo');
  const logDir = join(demoDir, 'logs');
  // The demo's scratch (ledger, generated gateway config, logs) starts empty; the control plane's database,
  // with its audit log, stays from run to run.
  await rm(demoDir, { recursive: true, force: true });
  await mkdir(logDir, { recursive: true });

  const view = new TerminalView(options.out, options.out.isTTY === true);
  const crash = new AbortController();
  const group = new ProcessGroup(logDir, (p, info) => {
    crash.abort(new ProcessError(p.name, `stopped unexpectedly (${describeExit(info)})`, p.tail()));
  });
  const stop = AbortSignal.any([options.signal, crash.signal]);
  const adminToken = options.adminToken ?? generateToken('api');
  const gatewayToken = randomBytes(24).toString('base64url');
  const sequence: Scenario[] = options.scenario ? [options.scenario] : ['psp-failure', 'healthy'];
  let traffic: TrafficHandle | undefined;
  let api: DemoApi | undefined;
  let approver: DemoApi | undefined;
  let current: ReleasePlan | undefined;
  const results: ReleaseResult[] = [];
  let code = 0;

  view.line(`Pitboss demo · ${sequence.join(' then ')} · time ×${options.speed} · data in ${shown(dataDir)}`);
  view.line(
    `Starting the platform: 5 services × (v1, v2), the gateway, the control plane … (logs: ${shown(logDir)})`,
  );
  try {
    const platform = await abortable(
      startPlatform(group, { scenario: sequence[0]!, dataDir: demoDir, seed: options.seed }),
      stop,
    );
    const gateway = await abortable(
      startDemoGateway(group, {
        platform,
        port: await portOrAny(options.gatewayPort),
        speed: options.speed,
        demoDir,
        token: gatewayToken,
      }),
      stop,
    );
    const server = await abortable(
      startControlPlane(group, {
        port: await portOrAny(options.port),
        dataDir,
        adminToken,
        gatewayAdminUrl: gateway.adminUrl,
        gatewayToken,
      }),
      stop,
    );
    api = new DemoApi(server.url, adminToken);
    banner(view, { server, gateway, adminToken, generated: options.adminToken === undefined, options });
    approver = await createApprover(api);
    await prepareFlag(api, approver);
    for (const name of new Set(sequence.map((s) => releasePlan(s).name))) {
      if (await abortStale(api, name)) view.line(`(aborted ${name}, left under way by an earlier run)`);
    }

    for (const [i, scenario] of sequence.entries()) {
      const plan = releasePlan(scenario);
      await rebuildCanary(group, platform, plan, { dataDir: demoDir, seed: options.seed }, view);
      current = plan;
      // Players arrive once the release has taken the routing over: an earlier run's leftovers are gone by then.
      const startPlayers = () => {
        traffic ??= startTraffic(trafficOptions(gateway.url, options, options.seed + i));
      };
      const view0 = await release(
        api,
        approver,
        plan,
        platform,
        options,
        view,
        startPlayers,
        () => traffic?.stats(),
        stop,
      );
      current = undefined;
      if (plan.flag && view0.phase === 'Aborted') {
        // The rollback puts the flag the release moved back where it was (0 %), right after the routing.
        view.line(
          (await flagBackToZero(api, stop))
            ? '  payments_v2 back to 0 % in prod (undone by the controller with the rollback)'
            : '  payments_v2 still not back to 0 % in prod: see the control plane log',
        );
      }
      const summary = await traffic!.stop();
      traffic = undefined;
      const result = await checkRelease(api, scenario, view0, platform.wallet.v1.url, summary);
      results.push(result);
      report(view, result);
      await writeSummary(demoDir, { sequence, results, group, server, gateway });
    }
    code = results.every((r) => r.matched && r.ledger?.ok !== false && r.audit?.ok !== false) ? 0 : 1;
    view.line(
      code === 0
        ? '✓ every release ended as its scenario expects; the ledger balances; the audit log verifies'
        : '✗ something did not end as expected (see above)',
    );
    if (!options.once) {
      traffic = startTraffic(trafficOptions(gateway.url, options, options.seed + sequence.length));
      view.line(
        'The platform keeps running with traffic. Explore it with the URLs above; Ctrl-C stops everything.',
      );
      await keepRunning(view, () => traffic?.stats(), stop);
    }
  } catch (e) {
    if (!crash.signal.aborted && (e instanceof Stopped || options.signal.aborted)) {
      view.line('\nStopping …');
      code = options.once ? 130 : 0;
    } else {
      const error = crash.signal.aborted ? (crash.signal.reason as Error) : (e as Error);
      view.line(`\n✗ ${error.message}`);
      view.line(`  logs: ${shown(logDir)}`);
      code = 2;
    }
  } finally {
    view.finish();
    await traffic?.stop().catch(() => {});
    if (current && api) await abortRelease(api, current.name);
    await group.stopAll([['control-plane'], ['gateway']]);
  }
  return code;
}

/**
 * `<data>/demo/summary.json`, rewritten after each release: what each release ended in, its ledger
 * reconciliation and audit check, and the processes the demo ran (the end-to-end test reads it).
 */
async function writeSummary(
  demoDir: string,
  s: {
    sequence: readonly Scenario[];
    results: readonly ReleaseResult[];
    group: ProcessGroup;
    server: ControlPlaneInfo;
    gateway: GatewayProcessInfo;
  },
): Promise<void> {
  const summary = {
    sequence: s.sequence,
    urls: { api: s.server.url, gateway: s.gateway.url, gatewayAdmin: s.gateway.adminUrl },
    pids: s.group.processes.map((p) => ({ name: p.name, pid: p.pid })),
    releases: s.results.map((r) => ({
      scenario: r.scenario,
      name: r.view.name,
      revision: r.view.revision,
      phase: r.view.phase,
      reason: r.view.reason,
      message: r.view.message,
      weight: r.view.route.weight,
      stepIndex: r.view.stepIndex,
      matched: r.matched,
      why: r.why,
      ledger: r.ledger,
      audit: r.audit,
    })),
  };
  await writeFile(join(demoDir, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
}

/** The traffic of one release: `rate × speed` journeys per second, at most MAX_JOURNEYS. */
export function trafficOptions(gatewayUrl: string, options: DemoOptions, seed: number): TrafficOptions {
  const perSecond = Math.min(options.rate * options.speed, MAX_JOURNEYS[options.journeys]);
  return {
    gatewayUrl,
    playersPerSecond: perSecond / options.speed,
    seed,
    speed: options.speed,
    // Journeys mostly think; the cap only guards against an overloaded platform answering slowly.
    maxConcurrentJourneys: Math.max(200, Math.ceil(perSecond * 30)),
    ...(options.journeys === 'payments' ? { steps: { bets: false, promo: false, ws: false } } : {}),
  };
}

/**
 * After a rollback the team ships a fix: the canary of the next release is a new build, `v2.1`, in place of the
 * v2 that was rolled back. A version of its own keeps its measurements apart from the faulty build's.
 */
async function rebuildCanary(
  group: ProcessGroup,
  platform: Platform,
  plan: ReleasePlan,
  options: { dataDir: string; seed: number },
  view: TerminalView,
): Promise<void> {
  const running = platform[plan.service].v2;
  if (running.scenario === plan.scenario) return;
  const [major, minor] = running.version.split('.');
  const version = `${major}.${Number(minor ?? 0) + 1}`;
  view.line(`The team ships a fix: deploying ${plan.process} ${version} …`);
  await group.stop(running.process);
  platform[plan.service].v2 = await startService(group, {
    service: plan.process,
    version,
    scenario: plan.scenario,
    dataDir: options.dataDir,
    seed: options.seed,
  });
}

/** Starts one release and follows it until it is settled (or waits for a person), redrawing the terminal. */
async function release(
  api: DemoApi,
  approver: DemoApi,
  plan: ReleasePlan,
  platform: Platform,
  options: DemoOptions,
  view: TerminalView,
  started: () => void,
  traffic: () => ReturnType<TrafficHandle['stats']> | undefined,
  stop: AbortSignal,
): Promise<RolloutView> {
  if (plan.flag) await prepareFlag(api, approver);
  const canary = platform[plan.service].v2;
  const upstreams = {
    stable: platform[plan.service].v1.url,
    canary: canary.url,
    canaryVersion: canary.version,
  };
  view.line('');
  view.line(
    `▶ Release ${plan.name} (${plan.process} ${canary.version}): ${EXPECTATIONS[plan.scenario].story}`,
  );
  const release = await startRelease(api, plan, upstreams, options.speed);
  started();
  view.begin({
    name: plan.name,
    scenario: plan.scenario,
    story: EXPECTATIONS[plan.scenario].story,
    counts: release.counts,
    speed: options.speed,
    startedAt: Date.now(),
  });
  // With --once the run must end: a release still moving after this long is reported as not what was expected.
  const deadline = Date.now() + ONCE_DEADLINE_MS + (4 * NOMINAL_RELEASE_MS) / options.speed;
  let status = release.view;
  let flag: number | undefined;
  let flagAt = 0;
  let hinted = false;
  for (;;) {
    if (plan.flag && Date.now() - flagAt >= FLAG_POLL_MS) {
      flag = await flagRollout(api).catch(() => flag);
      flagAt = Date.now();
    }
    const t = traffic();
    view.update(status, { ...(t ? { traffic: t } : {}), ...(flag === undefined ? {} : { flag }) });
    if (status.phase === 'Healthy' || (status.phase === 'Aborted' && status.routeConfirmed)) break;
    if (options.once && Date.now() > deadline) {
      view.line(`  ${plan.name} is still ${status.phase} long after it should have settled: giving up`);
      break;
    }
    if (
      status.phase === 'Paused' &&
      status.reason !== 'ProviderOutage' &&
      status.reason !== 'SharedIncident'
    ) {
      // A pause that waits for a person: the scripted release ends there.
      if (options.once) break;
      if (!hinted) {
        view.line(
          `  ${plan.name} waits for a person: pitboss rollout promote|abort ${plan.name} --url ${api.url}`,
        );
        hinted = true;
      }
    }
    await sleep(POLL_MS, stop);
    status = await api.get<RolloutView>(`/api/v1/rollouts/${plan.name}`);
  }
  view.finish();
  return status;
}

/** The outcome, the ledger reconciliation and the audit chain after a release. */
async function checkRelease(
  api: DemoApi,
  scenario: Scenario,
  status: RolloutView,
  walletUrl: string,
  summary: Awaited<ReturnType<TrafficHandle['stop']>>,
): Promise<ReleaseResult> {
  const { ok, why } = judgeOutcome(scenario, status);
  const ledger = await verifyLedger(walletUrl, summary);
  const audit = await api.get<AuditVerification>('/api/v1/audit/verify');
  return { scenario, view: status, matched: ok, why, ledger, audit };
}

function report(view: TerminalView, r: ReleaseResult): void {
  view.line(
    `${r.matched ? '✓' : '✗'} ${r.view.name} (${r.scenario}): ${r.view.phase} — ${shippedName(r.why)}`,
  );
  const l = r.ledger;
  if (l) {
    const d = l.deposits;
    view.line(
      `${l.ok ? '✓' : '✗'} ledger: ${l.wallet.balanced ? 'balanced' : 'NOT balanced'} (${l.wallet.entries} entries); ` +
        `${d.confirmed} confirmed deposits, ${d.lost.length} lost, ${d.duplicated.length} duplicated, ` +
        `${d.phantom.length} booked although they failed; ${l.players.checked} player balances checked, ` +
        `${l.players.mismatched.length} off`,
    );
    for (const p of l.problems) view.line(`    ${p}`);
  }
  const a = r.audit;
  if (a) {
    view.line(
      a.ok
        ? `✓ audit log verifies: ${a.checked} entries, ${a.checkpoints} checkpoints (GET /api/v1/audit/verify)`
        : `✗ audit log broken at ${JSON.stringify(a.firstBroken)}`,
    );
  }
}

function banner(
  view: TerminalView,
  info: {
    server: ControlPlaneInfo;
    gateway: GatewayProcessInfo;
    adminToken: string;
    generated: boolean;
    options: DemoOptions;
  },
): void {
  const { server, gateway, adminToken } = info;
  view.line('');
  view.line(`  control plane  ${server.url}   (API: ${server.url}/api/v1, docs: ${server.url}/openapi.json)`);
  view.line(`  gateway        ${gateway.url}   (players connect here; admin API ${gateway.adminUrl})`);
  view.line(`  console        ${server.url}/   (open it in a browser; sign in with the admin token below)`);
  view.line(
    `  admin token    ${adminToken}${info.generated ? '   (generated for this run; set PITBOSS_ADMIN_TOKEN to choose one)' : '   (PITBOSS_ADMIN_TOKEN)'}`,
  );
  view.line(
    `  try            PITBOSS_URL=${server.url} PITBOSS_TOKEN=<admin token> npx pitboss rollout watch wallet-v2`,
  );
  view.line('');
}

/** Without --once: the platform runs on with traffic; the live line shows it until Ctrl-C. */
async function keepRunning(
  view: TerminalView,
  traffic: () => ReturnType<TrafficHandle['stats']> | undefined,
  stop: AbortSignal,
): Promise<void> {
  let last = 0;
  for (;;) {
    await sleep(1_000, stop);
    // A line every minute on a pipe; a terminal gets it every 10 s.
    const every = view.tty ? 10_000 : 60_000;
    if (Date.now() - last >= every) {
      const line = trafficLine(traffic());
      if (line) view.line(line);
      last = Date.now();
    }
  }
}

/** Ctrl-C during a release: abort it, so the next run starts from a settled rollout. */
async function abortRelease(api: DemoApi, name: string): Promise<void> {
  try {
    await api.post(`/api/v1/rollouts/${name}/abort`, { reason: 'pitboss demo stopped' });
  } catch {
    // Already settled, or the control plane is gone: the next run aborts what is left.
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Stopped());
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new Stopped());
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Races a start against Ctrl-C and a crashed child. */
function abortable<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      if (signal.aborted) reject(new Stopped());
      signal.addEventListener('abort', () => reject(new Stopped()), { once: true });
    }),
  ]);
}

function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' ? '.' : rel.startsWith('..') ? path : `./${rel}`;
}

/** Waits (30 s at most) for the rollback to put payments_v2 back to 0 % in prod. */
async function flagBackToZero(api: DemoApi, stop: AbortSignal): Promise<boolean> {
  for (let i = 0; i < 60 && !stop.aborted; i++) {
    if ((await flagRollout(api)) === 0) return true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return false;
}
