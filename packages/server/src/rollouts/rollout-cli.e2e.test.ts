import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { NopRouter } from '../routing/routers/nop.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';
import { successTemplate, walletRollout } from './testing/fixtures.js';
import { ScriptedProvider } from './testing/scripted-provider.js';
import { TestClock } from './testing/test-clock.js';

// Runs the built CLI (`npx tsc -b packages/engine packages/server` first) against a real listening server.
const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe('pitboss rollout', () => {
  let t: TestApp;
  let dir: string;
  let env: Record<string, string>;

  /** Spawns asynchronously: the server answering the CLI runs in this process's event loop. */
  const cli = (...args: string[]): Promise<Run> => cliWatching(() => {}, ...args);
  /** Runs the CLI, calling `onOutput` with all of stdout so far each time more arrives. */
  const cliWatching = (onOutput: (stdout: string) => void, ...args: string[]): Promise<Run> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, 'rollout', ...args], { env: { ...process.env, ...env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b) => {
        stdout += b;
        onOutput(stdout);
      });
      child.stderr.on('data', (b) => (stderr += b));
      child.on('error', reject);
      child.on('close', (code) => {
        expect(`${stdout}\n${stderr}`).not.toMatch(/^\s+at /m);
        resolve({ code, stdout, stderr });
      });
    });

  beforeAll(async () => {
    const provider = new ScriptedProvider(ScriptedProvider.perVersion({ v1: 0.999, v2: 0.999 }));
    t = await startTestApp('sqlite', {
      rollouts: {
        router: new NopRouter(),
        providers: () => provider,
        clock: new TestClock().now,
        watchPollMs: 100,
      },
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    env = { PITBOSS_URL: `http://127.0.0.1:${port}`, PITBOSS_TOKEN: t.tokens.editor };
    dir = mkdtempSync(join(tmpdir(), 'pitboss-rollout-cli-'));
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const file = (name: string, docs: unknown[]) => {
    const path = join(dir, name);
    writeFileSync(path, docs.map((d) => stringify(d)).join('---\n'));
    return path;
  };

  it('starts from a multi-document file, shows status, list and history, promotes fully', async () => {
    const started = await cli('start', '-f', file('rollout.yaml', [successTemplate(), walletRollout()]));
    expect(started.stderr).toBe('');
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/^Started\./);
    expect(started.stdout).toContain('wallet  revision 1  v1 → v2');
    expect(started.stdout).toMatch(/gate step-1 \(success-rate\): Running/);

    const status = await cli('status', 'wallet', '--format', 'json');
    expect(JSON.parse(status.stdout)).toMatchObject({
      name: 'wallet',
      phase: 'Analyzing',
      route: { weight: 5 },
    });
    expect((await cli('list')).stdout).toMatch(/^wallet\s+1\s+v2\s+Analyzing\s+1\/4\s+5\s/m);

    const viewer = await cli('promote', 'wallet', '--token', t.tokens.viewer);
    expect(viewer.code).toBe(2);
    expect(viewer.stderr).toContain('FORBIDDEN');

    const promoted = await cli('promote', 'wallet', '--full', '--reason', 'looks good');
    expect(promoted.code).toBe(0);
    expect(promoted.stdout).toMatch(/^promote: done\./);
    expect(promoted.stdout).toContain('Healthy');

    const history = await cli('history', 'wallet');
    expect(history.stdout).toMatch(/FullyPromoted\s+Progressing\s+4\s+100\s+editor/);
    expect(history.stdout).toMatch(/Completed\s+Healthy\s+4\s+100\s+system:controller/);
    expect(history.stdout).toContain('(reason: looks good)');
    const again = await cli('promote', 'wallet');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Healthy');
  });

  it('places a server-side diagnostic on the file line and column', async () => {
    const path = join(dir, 'broken.yaml');
    writeFileSync(
      path,
      [
        'apiVersion: pitboss.dev/v1', // 1
        'kind: Rollout', // 2
        'metadata: {name: broken}', // 3
        'spec:', // 4
        '  service: wallet', // 5
        '  stable: {version: v1, upstreams: ["http://127.0.0.1:9001"]}', // 6
        '  canary: {version: v2, upstreams: ["http://127.0.0.1:9002"]}', // 7
        '  strategy:', // 8
        '    canary:', // 9
        '      steps:', // 10
        '        - setWeight: 250', // 11
      ].join('\n'),
    );
    const res = await cli('start', '-f', path);
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(new RegExp(`${path.replace(/[.\\/]/g, '\\$&')}:11:22: error`));
    expect(res.stderr).toContain('VALIDATION_FAILED');
  });

  it('watch follows until Healthy and exits 0; an unknown rollout is an error', async () => {
    await cli(
      'start',
      '-f',
      file('cashier.yaml', [walletRollout([{ setWeight: 5 }, { pause: {} }], 'cashier')]),
    );
    let promoted = false;
    const watched = await cliWatching(
      (stdout) => {
        // Once watch shows the rollout waiting at its pause, promote it; watch must follow to Healthy and exit.
        if (promoted || !stdout.includes('Paused')) return;
        promoted = true;
        void t.call('POST', '/api/v1/rollouts/cashier/promote', { token: t.tokens.editor, body: {} });
      },
      'watch',
      'cashier',
    );
    expect(watched.code).toBe(0);
    expect(watched.stdout).toContain('Paused');
    expect(watched.stdout).toContain('Healthy');
    const unknown = await cli('watch', 'nope');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('NOT_FOUND');
  });
});
