import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * What the console's end-to-end tests share: the built `pitboss` CLI run as a user runs it, a Debian chromium
 * driven by playwright-core, and a folder for what the run leaves to look at (screenshots, first-load figures).
 */

export const BIN = fileURLToPath(new URL('../../server/bin/pitboss.js', import.meta.url));
export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const ARTIFACTS = fileURLToPath(new URL('./.artifacts/', import.meta.url));
export const CHROMIUM = process.env.PITBOSS_CHROMIUM ?? '/usr/bin/chromium';
// Root in CI needs --no-sandbox; the rest keeps chromium off the (closed) network: no update, sync or
// background requests that would fail and slow every start.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export const chromiumAvailable = existsSync(CHROMIUM);
if (!chromiumAvailable) {
  console.warn(
    `console browser tests SKIPPED: no chromium at ${CHROMIUM} (apt-get install chromium; .ci/run does)`,
  );
}

export interface RunningProcess {
  readonly url: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

/**
 * Spawns `pitboss <args>` and resolves with the first URL that `urlPattern` captures in its output (stdout or
 * stderr), or rejects with the output when the process exits or the deadline passes first.
 */
export function runPitboss(
  args: readonly string[],
  options: { env?: Record<string, string>; cwd?: string; urlPattern: RegExp; deadlineMs?: number },
): Promise<RunningProcess> {
  const proc = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? REPO,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`pitboss ${args[0]} printed no URL in time:\n${out.slice(-4000)}`));
    }, options.deadlineMs ?? 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const match = options.urlPattern.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ url: match[1], output: () => out, stop: () => stop(proc) });
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`pitboss ${args[0]} exited (${code}) before it was ready:\n${out.slice(-4000)}`));
    });
  });
}

/** SIGINT (Ctrl-C), then SIGKILL if it has not exited within 30 s. */
function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    proc.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    proc.kill('SIGINT');
  });
}

/** A JSON call to the API with a token; returns status, ETag and body, never throws on an HTTP error. */
export async function call(
  base: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
  // biome-ignore lint/suspicious/noExplicitAny: tests read whatever JSON the route answered.
): Promise<{ status: number; etag: string | null; body: any }> {
  const response = await fetch(base + path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    etag: response.headers.get('etag'),
    body: text ? JSON.parse(text) : undefined,
  };
}

/** Issues an API token with a role; returns its value. */
export async function issueToken(base: string, admin: string, name: string, role: string): Promise<string> {
  const r = await call(base, admin, 'POST', '/api/v1/tokens', { name, kind: 'api', role });
  if (r.status !== 201 && r.status !== 200)
    throw new Error(`token ${name}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token as string;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * A fresh browser context (no session storage) at a laptop's size. Every request it makes is recorded, so a
 * test can prove the console asks nothing of any origin but its own server.
 */
export async function newConsole(
  browser: Browser,
  base: string,
): Promise<{ context: BrowserContext; page: Page; requests: string[]; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    // A CSP violation or an uncaught error shows here; 4xx answers the test provokes on purpose also log an
    // error line ("Failed to load resource"), which is expected and not a problem of the page.
    if (m.type() === 'error' && !/Failed to load resource/.test(m.text()))
      problems.push(`console: ${m.text()}`);
  });
  void base;
  return { context, page, requests, problems };
}

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, base: string, token: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel('API token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('navigation', { name: 'Main' }).waitFor();
}

/** Saves a full-page screenshot under e2e/.artifacts/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(`${ARTIFACTS}screenshots`, { recursive: true });
  await page.screenshot({ path: `${ARTIFACTS}screenshots/${name}.png`, fullPage: true });
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * The page's WCAG 2.1 A and AA violations found by axe-core (Deque's rules engine), one line each:
 * `rule (impact): help — targets`. Injected through the DevTools protocol, which the page's CSP does not govern.
 */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<AxeResult> } }
    ).axe;
    const result = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    });
    return result.violations.map(
      (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
  });
}

interface AxeResult {
  readonly violations: readonly {
    readonly id: string;
    readonly impact: string;
    readonly help: string;
    readonly nodes: readonly { readonly target: readonly string[] }[];
  }[];
}
