import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, spawnCli } from '../testing/spawn-cli.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';

/**
 * The incident commands an on-call engineer types instead of curl: `pitboss flags kill` and `pitboss presets
 * list|diff|apply`, against the example GitOps repository (payments_v2 protected, return-old-payment emergency).
 */
describe('pitboss flags kill and pitboss presets', () => {
  let t: TestApp;
  let url: string;

  const cli = (token: string, ...args: string[]): Promise<CliRun> =>
    spawnCli([...args, '--url', url, '--token', token]);
  const flag = async (key: string) =>
    (await t.call('GET', `/api/v1/flags/${key}`, { token: t.tokens.viewer })).body.flag;

  beforeAll(async () => {
    t = await startTestApp('sqlite');
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
    const applied = (
      await spawnCli(['apply', '-f', 'examples/gitops', '--url', url, '--token', t.tokens.admin])
    ).code;
    expect(applied).toBe(0);
  });
  afterAll(() => t.close());

  it('kills a flag in one environment at once, with the reason in the audit log', async () => {
    const run = await cli(
      t.tokens.editor,
      'flags',
      'kill',
      'payments_v2',
      '--env',
      'prod',
      '--reason',
      'PSP B failing',
    );
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe("payments_v2 killed in prod: every player gets 'off', whatever the rules.\n");
    expect((await flag('payments_v2')).environments.prod.killSwitch).toBe(true);
    const audit = await t.call('GET', '/api/v1/audit?resource=flag:payments_v2', { token: t.tokens.viewer });
    expect(audit.body.entries.at(-1)).toMatchObject({ action: 'flag.kill_switch', reason: 'PSP B failing' });
  });

  it('sends the release of a protected flag’s kill switch for approval, and says so', async () => {
    const run = await cli(t.tokens.editor, 'flags', 'kill', 'payments_v2', '--env', 'prod', '--release');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(
      /^Sent for approval: .*change request cr_\w+.*the kill switch is still on\.\n$/,
    );
    expect((await flag('payments_v2')).environments.prod.killSwitch).toBe(true);
  });

  it('answers unknown flags, viewers and missing options with the server’s code and an exit code', async () => {
    const unknown = await cli(t.tokens.editor, 'flags', 'kill', 'payments_v3', '--env', 'prod');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/NOT_FOUND/);
    const viewer = await cli(t.tokens.viewer, 'flags', 'kill', 'payments_v2', '--env', 'dev');
    expect(viewer.code).toBe(2);
    expect(viewer.stderr).toMatch(/FORBIDDEN/);
    const noEnv = await cli(t.tokens.editor, 'flags', 'kill', 'payments_v2');
    expect(noEnv.code).not.toBe(0);
    expect(noEnv.stderr).toMatch(/--env/);
    expect((await flag('payments_v2')).environments.dev.killSwitch).toBe(false);
  });

  it('lists presets with the emergency ones first', async () => {
    const run = await cli(t.tokens.viewer, 'presets', 'list');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[1]).toMatch(
      /^return-old-payment\s+emergency protected\s+Back to the old payment path/,
    );
  });

  it('previews a preset, then applies it in one transaction, naming what changed', async () => {
    const diff = await cli(t.tokens.viewer, 'presets', 'diff', 'return-old-payment');
    expect(diff.code).toBe(0);
    // payments_v2 is already killed in prod (above): only what would change is listed.
    expect(diff.stdout).toBe(
      [
        '  payments_v2 canary killSwitch: false → true',
        '  ws_codec_v2 canary killSwitch: false → true',
        '  ws_codec_v2 prod killSwitch: false → true',
        '',
      ].join('\n'),
    );
    const applied = await cli(
      t.tokens.editor,
      'presets',
      'apply',
      'return-old-payment',
      '--reason',
      'PSP B down',
    );
    expect(applied.code).toBe(0);
    expect(applied.stdout).toBe(
      `Applied return-old-payment (emergency): payments_v2, ws_codec_v2.\n${diff.stdout}`,
    );
    expect((await flag('ws_codec_v2')).environments.prod.killSwitch).toBe(true);
    expect((await flag('payments_v2')).environments.canary.killSwitch).toBe(true);
    const again = await cli(t.tokens.editor, 'presets', 'apply', 'return-old-payment');
    expect(again.stdout).toBe('Applied return-old-payment: nothing to change, the flags were already so.\n');
  });
});
