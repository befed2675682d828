import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deadUrl, startTestServer, type TestServer } from '../analysis/providers/http-fixtures.js';
import type { WebhookSpec } from '../rollouts/rollout.js';
import { type RolloutNotification, slackText, WebhookNotifier, webhookBody } from './webhook-notifier.js';

const EVENT: RolloutNotification = {
  rollout: 'wallet',
  revision: 4,
  at: '2025-01-01T12:00:00.000Z',
  transition: {
    event: 'AnalysisFailed',
    from: 'Analyzing',
    to: 'Aborted',
    stepIndex: 2,
    version: 'v2',
    rolloutStep: 2,
    weight: 25,
    message: 'deposit-success-by-psp psp=B 97.1 % < 99 %',
  },
};
const SECRET = 'Bearer xoxb-very-secret-token';

/** Answers each request with the next status in `script` (then 200); `hang` never answers. */
let server: TestServer;
let script: (number | 'hang')[] = [];
let hook: (over?: Partial<WebhookSpec>) => WebhookSpec;

beforeAll(async () => {
  server = await startTestServer((_req, res) => {
    const next = script.shift() ?? 200;
    if (next === 'hang') return;
    res.writeHead(next).end();
  });
  hook = (over = {}) => ({
    url: `${server.url}/hooks/T000/B000/secretpath`,
    events: [],
    headers: {},
    ...over,
  });
});
afterAll(() => server?.close());
beforeEach(() => {
  script = [];
  server.received.length = 0;
});

function notifier(timeoutMs = 5_000) {
  const sleeps: number[] = [];
  const logs: { obj: object; msg: string }[] = [];
  const n = new WebhookNotifier({
    timeoutMs,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    log: { warn: (obj, msg) => logs.push({ obj, msg }) },
  });
  return { n, sleeps, logs };
}

describe('WebhookNotifier', () => {
  it('POSTs the transition as JSON with the hook headers', async () => {
    const { n, logs } = notifier();
    await n.notify([hook({ headers: { authorization: SECRET } })], EVENT);
    expect(server.received).toHaveLength(1);
    const [req] = server.received;
    expect(req!.method).toBe('POST');
    expect(req!.url).toBe('/hooks/T000/B000/secretpath');
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers.authorization).toBe(SECRET);
    expect(JSON.parse(req!.body)).toEqual({
      rollout: 'wallet',
      revision: 4,
      event: 'AnalysisFailed',
      from: 'Analyzing',
      to: 'Aborted',
      stepIndex: 2,
      version: 'v2',
      rolloutStep: 2,
      weight: 25,
      message: 'deposit-success-by-psp psp=B 97.1 % < 99 %',
      at: '2025-01-01T12:00:00.000Z',
      text: ':rotating_light: wallet v2 rolled back at step 3 (25 %): deposit-success-by-psp psp=B 97.1 % &lt; 99 %',
    });
    expect(logs).toEqual([]);
  });

  it('sends only the events a hook asked for', async () => {
    const { n } = notifier();
    await n.notify(
      [
        hook({ url: `${server.url}/a`, events: ['AnalysisFailed', 'RolledBack'] }),
        hook({ url: `${server.url}/b`, events: ['completed'] }),
        hook({ url: `${server.url}/c`, events: ['analysisfailed'] }),
      ],
      EVENT,
    );
    expect(server.received.map((r) => r.url).sort()).toEqual(['/a', '/c']);
  });

  it('retries 5xx with backoff, then succeeds', async () => {
    script = [503, 500];
    const { n, sleeps, logs } = notifier();
    await n.notify([hook()], EVENT);
    expect(server.received).toHaveLength(3);
    expect(sleeps).toEqual([1_000, 2_000]);
    expect(logs).toEqual([]);
  });

  it('gives up after 3 attempts, resolves, and logs without secrets', async () => {
    script = [502, 502, 502, 502];
    const { n, logs } = notifier();
    await expect(n.notify([hook({ headers: { authorization: SECRET } })], EVENT)).resolves.toBeUndefined();
    expect(server.received).toHaveLength(3);
    expect(logs).toHaveLength(1);
    expect(logs[0]!.obj).toMatchObject({ webhook: server.url, rollout: 'wallet', problem: 'HTTP 502' });
    const logged = JSON.stringify(logs);
    expect(logged).not.toContain('xoxb');
    expect(logged).not.toContain('secretpath');
  });

  it('does not retry a 4xx other than 429', async () => {
    script = [404, 429];
    const { n, logs } = notifier();
    await n.notify([hook()], EVENT);
    expect(server.received).toHaveLength(1);
    expect(logs[0]!.obj).toMatchObject({ problem: 'HTTP 404' });
    script = [429];
    server.received.length = 0;
    await n.notify([hook()], EVENT);
    expect(server.received).toHaveLength(2);
  });

  it('bounds each attempt with a timeout and never throws', async () => {
    script = ['hang', 'hang', 'hang'];
    const { n, logs } = notifier(100);
    await expect(n.notify([hook()], EVENT)).resolves.toBeUndefined();
    expect(server.received).toHaveLength(3);
    expect(logs[0]!.obj).toMatchObject({ problem: 'timed out after 100 ms' });
  });

  it('survives a dead endpoint and an invalid URL', async () => {
    const { n, logs } = notifier();
    const dead = await deadUrl();
    await expect(
      n.notify([hook({ url: `${dead}/x` }), hook({ url: 'not a url' })], EVENT),
    ).resolves.toBeUndefined();
    expect(logs.map((l) => (l.obj as { webhook: string }).webhook).sort()).toEqual(['(invalid URL)', dead]);
    expect(JSON.stringify(logs)).toMatch(/ECONNREFUSED/);
    expect(JSON.stringify(logs)).toContain(`"problem":"invalid URL"`);
  });

  it('does nothing without hooks', async () => {
    const { n } = notifier();
    await n.notify([], EVENT);
    expect(server.received).toHaveLength(0);
  });
});

describe('slackText', () => {
  const text = (over: Partial<RolloutNotification['transition']>) =>
    slackText({ ...EVENT, transition: { ...EVENT.transition, ...over } });

  it.each([
    [
      { event: 'Completed', to: 'Healthy', weight: 100, message: '' },
      ':tada: wallet v2 completed at step 3 (100 %)',
    ],
    [
      { event: 'StepCompleted', weight: 0.1, message: 'now at step 4' },
      ':arrow_forward: wallet v2 completed a step at step 3 (0.1 %): now at step 4',
    ],
    [
      { event: 'SharedIncident', to: 'Paused', message: 'both arms < 99 % & falling' },
      ':warning: wallet v2 paused, platform-wide incident (not the canary) at step 3 (25 %): both arms &lt; 99 % &amp; falling',
    ],
    [
      { event: 'SomethingNew', to: 'Paused', message: '' },
      ':warning: wallet v2 something new at step 3 (25 %)',
    ],
    [
      { event: 'SomethingNew', to: 'Aborted', weight: 1 / 3, message: '' },
      ':rotating_light: wallet v2 something new at step 3 (0.333 %)',
    ],
  ])('%j', (over, expected) => {
    expect(text(over as never)).toBe(expected);
  });

  it('is the text field of the body', () => {
    expect(webhookBody(EVENT).text).toBe(slackText(EVENT));
  });
});
