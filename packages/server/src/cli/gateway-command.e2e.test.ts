import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { verifyOverrideToken } from '../gateway/override-token.js';
import { startUpstream, type TestUpstream } from '../gateway/testing/upstream-server.js';
import { formatDiagnostic } from './format-diagnostics.js';
import { loadGatewayConfigFile, registerGatewayCommand, runGateway } from './gateway-command.js';

let dir: string;
let v1: TestUpstream;
let v2: TestUpstream;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pitboss-gateway-'));
  v1 = await startUpstream('v1');
  v2 = await startUpstream('v2');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await v1.close();
  await v2.close();
});

const yaml = (extra = '') => `apiVersion: pitboss.dev/v1
kind: Gateway
spec:
  listen: {host: 127.0.0.1, port: 0}
  services:
    - name: wallet
      match: {pathPrefix: /wallet}
      stable: {version: v1, upstreams: ['${v1.url}']}
      canary: {version: v2, upstreams: ['${v2.url}']}
${extra}`;

describe('pitboss gateway', () => {
  it('places config errors on file lines and columns, like pitboss validate', async () => {
    const file = join(dir, 'broken.yaml');
    await writeFile(file, yaml('      route: {weight: 5, segment: "market =="}\n      retrys: 2\n'));
    const { config, diagnostics } = await loadGatewayConfigFile(file);
    expect(config).toBeUndefined();
    const lines = diagnostics.map(formatDiagnostic).join('\n');
    expect(lines).toContain(`${file}:11:7: error CONFIG_UNKNOWN_FIELD unknown field 'retrys'`);
    expect(lines).toMatch(new RegExp(`${file}:10:\\d+: error EXPR_SYNTAX`));
  });

  it('runs from a config file with the admin API and override tokens, and reloads it', async () => {
    const file = join(dir, 'gateway.yaml');
    await writeFile(file, yaml());
    const env = { ADMIN: 'admin-token', OVERRIDE: 'override-secret' };
    const proc = await runGateway(
      {
        config: file,
        adminPort: 0,
        adminHost: '127.0.0.1',
        adminTokenEnv: 'ADMIN',
        overrideSecretEnv: 'OVERRIDE',
        logLevel: 'silent',
      },
      env,
    );
    try {
      const url = proc.running.url;
      expect((await fetch(`${url}/wallet/a`)).headers.get('x-pitboss-version')).toBe('v1');
      const put = await fetch(`${proc.adminUrl}/v1/routes/wallet`, {
        method: 'PATCH',
        headers: { authorization: 'Bearer admin-token' },
        body: JSON.stringify({ weight: 100, rolloutStep: 4 }),
      });
      expect(await put.json()).toEqual({
        service: 'wallet',
        route: { weight: 100, mirror: 0 },
        rolloutStep: 4,
      });
      expect((await fetch(`${url}/wallet/a`)).headers.get('x-pitboss-version')).toBe('v2');

      const lobby = `    - {name: lobby, match: {pathPrefix: /lobby}, stable: {version: l1, upstreams: ['${v1.url}']}}\n`;
      await writeFile(file, `${yaml()}${lobby}`);
      expect(await proc.reload()).toEqual([]);
      expect((await fetch(`${url}/lobby/x`)).headers.get('x-pitboss-version')).toBe('l1');
      expect((await fetch(`${url}/wallet/a`)).headers.get('x-pitboss-version')).toBe('v2'); // routing kept

      await writeFile(file, 'kind: Gateway\nspec: {services: 3}\n');
      const problems = await proc.reload();
      expect(problems.some((d) => d.severity === 'error')).toBe(true);
      expect((await fetch(`${url}/lobby/x`)).status).toBe(200); // the running config stays
    } finally {
      await proc.close();
    }
  });

  it('refuses an admin port without a token', async () => {
    const file = join(dir, 'gateway.yaml');
    await writeFile(file, yaml());
    await expect(
      runGateway({ config: file, adminPort: 0, adminHost: '127.0.0.1', logLevel: 'silent' }, {}),
    ).rejects.toThrow('--admin-port needs --admin-token-env');
    await expect(
      runGateway(
        { config: file, adminPort: 0, adminHost: '127.0.0.1', adminTokenEnv: 'NOPE', logLevel: 'silent' },
        {},
      ),
    ).rejects.toThrow('environment variable NOPE is not set');
  });

  it('gateway token mints a token the gateway accepts', async () => {
    process.env.PITBOSS_TEST_OVERRIDE = 'token-secret';
    const out: string[] = [];
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out.push(String(chunk));
      return true;
    });
    const err = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const program = new Command('pitboss').version('0', '-V, --version').exitOverride();
      registerGatewayCommand(program);
      await program.parseAsync(
        [
          'gateway',
          'token',
          '--service',
          'wallet',
          '--version',
          'v2',
          '--ttl',
          '1h',
          '--secret-env',
          'PITBOSS_TEST_OVERRIDE',
        ],
        { from: 'user' },
      );
    } finally {
      write.mockRestore();
      err.mockRestore();
      delete process.env.PITBOSS_TEST_OVERRIDE;
    }
    const token = out.join('').trim();
    const check = verifyOverrideToken('token-secret', token, Date.now());
    expect(check).toMatchObject({ ok: true, claims: { service: 'wallet', version: 'v2' } });
    expect(verifyOverrideToken('token-secret', token, Date.now() + 3_600_001).ok).toBe(false);
  });
});
