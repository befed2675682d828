import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  accessibilityViolations,
  call,
  chromiumAvailable,
  launchBrowser,
  newConsole,
  type RunningProcess,
  runPitboss,
  screenshot,
  signIn,
} from './harness.js';

/**
 * The release page watched while `pitboss demo` (what `npm start` runs) releases a wallet v2 that fails PSP B's
 * deposits: the page shows baseline-vs-canary health as it comes, then the rollback — phase Aborted, weight 0,
 * PSP B named — without a reload. Compressed ×5 with payments-only journeys, as the demo's own e2e test runs it.
 */

const ADMIN = 'pb_api_console_release_e2e_admin_01';
let dir: string;
let demo: RunningProcess;
let browser: Browser;

beforeAll(async () => {
  if (!chromiumAvailable) return;
  dir = await mkdtemp(join(tmpdir(), 'pitboss-console-release-'));
  demo = await runPitboss(
    [
      'demo',
      '--data',
      dir,
      '--port',
      '0',
      '--gateway-port',
      '0',
      '--scenario',
      'psp-failure',
      '--speed',
      '5',
      '--journeys',
      'payments',
    ],
    {
      cwd: dir,
      env: { PITBOSS_ADMIN_TOKEN: ADMIN },
      urlPattern: /control plane\s+(http:\/\/[\w.:[\]-]+)/,
      deadlineMs: 120_000,
    },
  );
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await demo?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
}, 60_000);

describe.skipIf(!chromiumAvailable)('the release page during the demo', () => {
  it('shows baseline vs canary live and the rollback as it happens', async () => {
    const base = demo.url;
    const { context, page, problems } = await newConsole(browser, base);
    await signIn(page, base, ADMIN);
    await page.getByRole('link', { name: 'Releases' }).click();
    await page.getByRole('link', { name: 'wallet-v2' }).click({ timeout: 120_000 });
    // A marker that a reload would wipe: the rollback must arrive over the live stream.
    await page.evaluate(() => {
      (window as unknown as { pitbossMarker: number }).pitbossMarker = 1;
    });
    await page
      .getByRole('heading', { name: /wallet-v2/ })
      .first()
      .waitFor();
    await page.locator('figure').first().waitFor();
    // Health arrives over the stream: the latest figures show requests on both arms once the canary takes traffic.
    const requests = page.getByRole('row', { name: /^Requests/ });
    await expect
      .poll(async () => (await requests.textContent()) ?? '', { timeout: 150_000, intervals: [1000] })
      .toMatch(/^Requests\s*[1-9]\d*\s*[1-9]\d*$/);
    await screenshot(page, '08-release-progressing');

    await expect
      .poll(() => page.getByText('Aborted', { exact: true }).count(), { timeout: 200_000, intervals: [1000] })
      .toBeGreaterThan(0);
    await expect.poll(() => page.getByText(/psp=B/).count()).toBeGreaterThan(0);
    expect(await page.evaluate(() => (window as unknown as { pitbossMarker?: number }).pitbossMarker)).toBe(
      1,
    );
    await screenshot(page, '09-release-rolled-back');
    // The busiest page (charts, gates, history) passes the same WCAG 2.1 A and AA rules as the others.
    expect(await accessibilityViolations(page)).toEqual([]);

    const rollout = await call(base, ADMIN, 'GET', '/api/v1/rollouts/wallet-v2');
    expect(rollout.body.phase).toBe('Aborted');
    expect(rollout.body.route.weight).toBe(0);

    await page.getByRole('link', { name: 'Releases' }).click();
    await page.getByRole('link', { name: 'wallet-v2' }).waitFor();
    await screenshot(page, '10-releases');
    expect(problems).toEqual([]);
    await context.close();
  }, 400_000);
});
