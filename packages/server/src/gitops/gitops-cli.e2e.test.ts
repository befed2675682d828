import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, REPO_ROOT, spawnCli } from '../testing/spawn-cli.js';
import { startTestApp, type TestApp } from '../testing/test-app.js';

/** Spawns asynchronously: the server answering the CLI runs in this process's event loop. */
function pitboss(env: Record<string, string>, ...args: string[]): Promise<CliRun> {
  return spawnCli(args, env);
}

describe('pitboss apply / diff / export / flags stale', () => {
  let t: TestApp;
  let dir: string;
  let env: Record<string, string>;
  const cli = (...args: string[]) => pitboss(env, ...args);

  beforeAll(async () => {
    t = await startTestApp('sqlite');
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    env = { PITBOSS_URL: `http://127.0.0.1:${port}`, PITBOSS_TOKEN: t.tokens.admin };
    dir = mkdtempSync(join(tmpdir(), 'pitboss-gitops-'));
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('diff exits 1 before apply, apply exits 0, then diff exits 0', async () => {
    const before = await cli('diff', '-f', 'examples/gitops');
    expect(before.code).toBe(1);
    expect(before.stdout).toContain('+ flag:payments_v2');
    expect(before.stdout).toContain('+ preset:return-old-payment');
    const applied = await cli('apply', '-f', 'examples/gitops');
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/^Plan: 8 to create, 4 to update, 0 to archive, 0 unchanged\.$/m);
    const after = await cli('diff', '-f', 'examples/gitops');
    expect(after.stdout).toBe('In sync: 12 unchanged.\n');
    expect(after.code).toBe(0);
  });

  it('places every error of a multi-document YAML on its line and applies nothing', async () => {
    const file = join(dir, 'broken.yaml');
    const text = [
      'kind: Segment', // 1
      'key: testers', // 2
      'if: user.isTester', // 3
      '---', // 4
      'kind: Flag', // 5
      'key: cashier_v3', // 6
      'expiresAt: 2099-01-01T00:00:00Z', // 7
      'rules:', // 8
      "  - if: market = 'DE'", // 9
      '---', // 10
      'kind: Flag', // 11
      'key: promo', // 12
      'rolout: 0.5', // 13
    ].join('\n');
    writeFileSync(file, `${text}\n`);
    const r = await cli('apply', '-f', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${file}:9:16: error EXPR_SYNTAX`);
    expect(r.stderr).toContain(`${file}:13:1: error CONFIG_UNKNOWN_FIELD unknown field 'rolout'`);
    expect(r.stderr).toMatch(
      /^pitboss: VALIDATION_FAILED: 2 error\(s\), nothing applied; first: document 1 \(Flag cashier_v3\), field rules\.0\.if: /m,
    );
    // Errors are listed in file order.
    expect(r.stderr.indexOf(':9:16:')).toBeLessThan(r.stderr.indexOf(':13:1:'));
    expect((await t.call('GET', '/api/v1/segments/testers', { token: t.tokens.viewer })).status).toBe(404);
    // The same documents make diff fail with 2, never the 1 of "differences".
    expect((await cli('diff', '-f', file)).code).toBe(2);
  });

  it('diffs a preset field by field and places its errors on their lines', async () => {
    const file = join(dir, 'preset.yaml');
    const text = [
      'kind: Preset', // 1
      'key: return-old-payment', // 2
      'protected: true', // 3
      'emergency: true', // 4
      'states:', // 5
      '  payments_v2:', // 6
      '    canary: { killSwitch: true }', // 7
      '    prod: { killSwitch: true, enabled: false }', // 8
      '  ws_codec_v2:', // 9
      '    canary: { killSwitch: true }', // 10
      '    prod: { killSwitch: true }', // 11
    ].join('\n');
    writeFileSync(file, `${text}\n`);
    const diff = await cli('diff', '-f', file);
    expect(diff.stderr).toBe('');
    expect(diff.code).toBe(1);
    // The file leaves the description out: a document states the whole preset, so that is a change too.
    expect(diff.stdout).toMatch(
      /^~ preset:return-old-payment\n {4}description: "Back to the old payment path.*→ \(none\)$/m,
    );
    expect(diff.stdout).toContain('    states.payments_v2.prod.enabled: (none) → false\n');
    expect(diff.stdout).toContain('Plan: 0 to create, 1 to update, 0 to archive, 0 unchanged.');
    const typo = text
      .replace('  ws_codec_v2:', '  ws_codec_v3:')
      .replace('prod: { killSwitch', 'prd: { killSwitch');
    writeFileSync(file, `${typo}\n`);
    const r = await cli('apply', '-f', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `${file}:8:5: error CONFIG_UNKNOWN_FIELD environment 'prd' does not exist once the documents are applied`,
    );
    expect(r.stderr).toContain(
      `${file}:9:3: error CONFIG_UNKNOWN_FIELD flag 'ws_codec_v3' does not exist once the documents are applied`,
    );
    expect(r.stderr).toMatch(
      /^pitboss: VALIDATION_FAILED: 2 error\(s\), nothing applied; first: document 0 \(Preset return-old-payment\), field states\.payments_v2\.prd: /m,
    );
  });

  it('refuses to send a file that does not parse, naming its line', async () => {
    const file = join(dir, 'unparsable.yaml');
    writeFileSync(file, 'kind: Flag\nkey: a\n---\nkind: Flag\nkey: [b\n');
    const r = await cli('apply', '-f', file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: error CONFIG_PARSE`),
    );
    expect(r.stderr).toContain('nothing was sent');
  });

  it('exports YAML that diff finds in sync, and prunes what the documents omit', async () => {
    const out = join(dir, 'export.yaml');
    const exported = await cli('export', '-o', out);
    expect(exported.code).toBe(0);
    const yaml = readFileSync(out, 'utf8');
    expect(yaml).toContain('kind: Flag\nkey: ws_codec_v2\n');
    expect(yaml).toContain('variant: "on"');
    expect((await cli('diff', '-f', out, '--prune')).code).toBe(0);
    const pruned = await cli(
      'apply',
      '-f',
      join(REPO_ROOT, 'examples/gitops/environments.yaml'),
      '--prune',
      '--dry-run',
    );
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toContain('- flag:payments_v2 (archive)');
    expect(pruned.stdout).toContain('Dry run: nothing was changed.');
    expect((await cli('diff', '-f', out, '--prune')).code).toBe(0);
  });

  it('lists stale flags as a table or JSON', async () => {
    const file = join(dir, 'old.yaml');
    writeFileSync(
      file,
      'kind: Flag\nkey: summer_promo\nflagKind: release\nowner: team-promo\nexpiresAt: 2020-08-31T00:00:00Z\n',
    );
    expect((await cli('apply', '-f', file)).code).toBe(0);
    const text = await cli('flags', 'stale', '--days', '30');
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^FLAG\s+KIND\s+OWNER\s+REASON\s+DETAIL$/m);
    expect(text.stdout).toMatch(
      /^summer_promo\s+release\s+team-promo\s+expired\s+expired 2020-08-31T00:00:00.000Z \(\d+ days ago\)$/m,
    );
    const json = JSON.parse((await cli('flags', 'stale', '--format', 'json')).stdout);
    expect(json).toMatchObject({
      days: 30,
      flags: [{ key: 'summer_promo', reasons: [{ reason: 'expired' }] }],
    });
    expect((await cli('flags', 'stale', '--days', '0')).code).toBe(2);
  });

  it('reports usage and connection errors with exit 2, never a stack trace', async () => {
    const noToken = await pitboss({ PITBOSS_URL: env.PITBOSS_URL!, PITBOSS_TOKEN: '' }, 'export');
    expect(noToken).toMatchObject({
      code: 2,
      stderr: 'pitboss: no API token: pass --token or set PITBOSS_TOKEN\n',
    });
    const viewer = await pitboss(
      { ...env, PITBOSS_TOKEN: t.tokens.viewer },
      'apply',
      '-f',
      'examples/gitops',
    );
    expect(viewer.code).toBe(2);
    expect(viewer.stderr).toMatch(/^pitboss: FORBIDDEN: /);
    const down = await cli('diff', '-f', 'examples/gitops', '--url', 'http://127.0.0.1:9');
    expect(down.code).toBe(2);
    expect(down.stderr).toMatch(/^pitboss: cannot reach http:\/\/127\.0\.0\.1:9: /);
    expect((await cli('apply')).code).toBe(2);
  });
});
