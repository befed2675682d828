import type { WebhookSpec } from '../rollouts/rollout.js';
import type { Transition } from '../rollouts/rollout-state.js';

/** One rollout transition to announce. */
export interface RolloutNotification {
  readonly rollout: string;
  readonly revision: number;
  readonly transition: Transition;
  /** ISO time of the transition. */
  readonly at: string;
}

/** The JSON a webhook receives: the transition flattened, plus `text` for Slack-compatible incoming webhooks. */
export interface WebhookBody {
  readonly rollout: string;
  readonly revision: number;
  readonly event: string;
  readonly from: string;
  readonly to: string;
  readonly stepIndex: number;
  readonly version: string;
  readonly rolloutStep: number;
  readonly weight: number;
  readonly message: string;
  readonly at: string;
  readonly text: string;
}

/** Enough of pino. */
export interface NotifierLog {
  warn(obj: object, msg: string): void;
}

export interface WebhookNotifierOptions {
  readonly fetch?: typeof fetch;
  /** Waits between attempts (tests inject one that records and returns at once). */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Per attempt; default 5 s. */
  readonly timeoutMs?: number;
  /** Default 3. */
  readonly attempts?: number;
  /** Wait before the second attempt, doubled for each further one; default 1 s. */
  readonly backoffMs?: number;
  readonly log?: NotifierLog;
}

/**
 * Posts rollout transitions to webhooks. Delivery is best effort and bounded: each attempt has a timeout, a
 * failing hook is tried `attempts` times with exponential backoff (network errors, timeouts, 5xx and 429 only —
 * another 4xx will not get better), and `notify` never throws: a broken hook must not hold a rollout back.
 * Logs name the hook by origin only: header values and webhook URLs (Slack's carry their secret in the path)
 * never reach the log.
 */
export class WebhookNotifier {
  private readonly fetchImpl: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly timeoutMs: number;
  private readonly attempts: number;
  private readonly backoffMs: number;

  constructor(private readonly options: WebhookNotifierOptions = {}) {
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.attempts = Math.max(1, options.attempts ?? 3);
    this.backoffMs = options.backoffMs ?? 1_000;
  }

  /** Sends `event` to every hook that wants it (`events` empty = all), in parallel; resolves when all are done. */
  async notify(hooks: readonly WebhookSpec[], event: RolloutNotification): Promise<void> {
    try {
      const wanted = hooks.filter((h) => wants(h, event.transition.event));
      if (wanted.length === 0) return;
      const body = JSON.stringify(webhookBody(event));
      await Promise.all(wanted.map((hook) => this.deliver(hook, body, event)));
    } catch (err) {
      // Unreachable in practice (deliver catches everything); the promise to callers is "never throws".
      this.options.log?.warn({ err: String(err) }, 'webhook notification failed');
    }
  }

  private async deliver(hook: WebhookSpec, body: string, event: RolloutNotification): Promise<void> {
    let problem = '';
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      if (attempt > 1) await this.sleep(this.backoffMs * 2 ** (attempt - 2));
      const outcome = await this.post(hook, body);
      if (outcome === 'ok') return;
      problem = outcome.problem;
      if (!outcome.retry) break;
    }
    this.options.log?.warn(
      { webhook: origin(hook.url), rollout: event.rollout, event: event.transition.event, problem },
      'webhook notification not delivered',
    );
  }

  private async post(hook: WebhookSpec, body: string): Promise<'ok' | { problem: string; retry: boolean }> {
    // Checked here because fetch's own message would quote the URL.
    if (!URL.canParse(hook.url)) return { problem: 'invalid URL', retry: false };
    try {
      const res = await this.fetchImpl(hook.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...hook.headers },
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
        // A redirect would carry the hook's headers (tokens) to wherever it points.
        redirect: 'error',
      });
      await res.body?.cancel().catch(() => {});
      if (res.ok) return 'ok';
      return { problem: `HTTP ${res.status}`, retry: res.status >= 500 || res.status === 429 };
    } catch (e) {
      const name = e instanceof Error ? e.name : '';
      if (name === 'TimeoutError') return { problem: `timed out after ${this.timeoutMs} ms`, retry: true };
      // fetch says `fetch failed`; the cause (`connect ECONNREFUSED 127.0.0.1:8080`) says why. Never the request.
      const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : undefined;
      return { problem: cause ?? (e instanceof Error ? e.message : 'request failed'), retry: true };
    }
  }
}

function wants(hook: WebhookSpec, event: string): boolean {
  return hook.events.length === 0 || hook.events.some((e) => e.toLowerCase() === event.toLowerCase());
}

function origin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}

export function webhookBody(n: RolloutNotification): WebhookBody {
  const t = n.transition;
  return {
    rollout: n.rollout,
    revision: n.revision,
    event: t.event,
    from: t.from,
    to: t.to,
    stepIndex: t.stepIndex,
    version: t.version,
    rolloutStep: t.rolloutStep,
    weight: t.weight,
    message: t.message,
    at: n.at,
    text: slackText(n),
  };
}

/** Emoji and wording per event (rollouts/reasons.ts `RolloutEvent`); unknown events get a phase-based default. */
const WORDING: Readonly<Record<string, readonly [emoji: string, verb: string]>> = {
  RolloutStarted: [':rocket:', 'started'],
  StepCompleted: [':arrow_forward:', 'completed a step'],
  AnalysisSucceeded: [':white_check_mark:', 'passed analysis'],
  AnalysisFailed: [':rotating_light:', 'rolled back'],
  HardStop: [':rotating_light:', 'hard-stopped and rolled back'],
  AnalysisInconclusive: [':warning:', 'paused, analysis inconclusive'],
  ProviderOutage: [':warning:', 'paused, metrics provider outage'],
  ProviderRecovered: [':arrow_forward:', 'resumed, metrics provider recovered'],
  SharedIncident: [':warning:', 'paused, platform-wide incident (not the canary)'],
  SharedIncidentCleared: [':arrow_forward:', 'resumed, incident cleared'],
  Degraded: [':warning:', 'degraded, routing not confirmed'],
  RouteConfirmed: [':arrow_forward:', 'routing confirmed'],
  Paused: [':double_vertical_bar:', 'paused'],
  Resumed: [':arrow_forward:', 'resumed'],
  Promoted: [':fast_forward:', 'promoted'],
  FullyPromoted: [':fast_forward:', 'fully promoted'],
  StepSkipped: [':fast_forward:', 'skipped a step'],
  Aborted: [':rotating_light:', 'aborted'],
  RolledBack: [':leftwards_arrow_with_hook:', 'rolled back, all traffic on stable'],
  Retried: [':repeat:', 'retried'],
  Completed: [':tada:', 'completed'],
};

/**
 * The one-line summary for chat: `:rotating_light: wallet v2 rolled back at step 3 (25 %): <message>`. Steps are
 * numbered from 1 here (the JSON keeps the 0-based `stepIndex`); `&`, `<` and `>` are escaped as Slack's message
 * format requires, so a message like `97.1 % < 99 %` shows as written.
 */
export function slackText(n: RolloutNotification): string {
  const t = n.transition;
  const [emoji, verb] = WORDING[t.event] ?? [phaseEmoji(t.to), humanise(t.event)];
  const head = `${emoji} ${n.rollout} ${t.version} ${verb} at step ${t.rolloutStep + 1} (${percent(t.weight)})`;
  return slackEscape(t.message ? `${head}: ${t.message}` : head);
}

function phaseEmoji(phase: string): string {
  if (phase === 'Aborted') return ':rotating_light:';
  if (phase === 'Healthy') return ':white_check_mark:';
  if (phase === 'Paused' || phase === 'Degraded') return ':warning:';
  return ':arrow_forward:';
}

function humanise(event: string): string {
  return event.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

function percent(weight: number): string {
  return `${Number(weight.toFixed(3))} %`;
}

function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
