import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DRIVERS } from '../testing/test-app.js';
import { type AuditFixture, dropAppendOnly, pitboss, startAuditFixture } from './tamper-fixture.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pitboss-audit-cli-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const noTrace = (r: { stdout: string; stderr: string }) =>
  expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/^\s+at /m);

describe.each(DRIVERS)('pitboss audit on %s', (driver) => {
  let f: AuditFixture;
  // biome-ignore lint/suspicious/noExplicitAny: entries as the API answers them.
  let entries: any[];

  beforeAll(async () => {
    f = await startAuditFixture(driver, dir);
    for (const feature of ['payments_v2', 'new_lobby']) {
      await f.t.call('POST', '/api/v1/flags', { token: f.t.tokens.editor, body: { feature } });
    }
    await f.t.call('POST', '/api/v1/flags/payments_v2/environments/prod/kill', {
      token: f.t.tokens.admin,
      body: { on: true, reason: 'PSP B failing' },
    });
    entries = (await f.t.call('GET', '/api/v1/audit?limit=1000', { token: f.t.tokens.viewer })).body.entries;
  });
  afterAll(() => f.close());

  it('exports every entry as JSON Lines, exactly as the API serves them', () => {
    const r = pitboss(['audit', 'log', '--database', f.url]);
    expect(r.code).toBe(0);
    expect(
      r.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual(entries);
  });

  it('filters by resource, actor and time, and prints text', () => {
    const byResource = pitboss(['audit', 'log', '--database', f.url, '--resource', 'flag:payments_v2']);
    expect(
      byResource.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).action),
    ).toEqual(['flag.create', 'flag.kill_switch']);
    const byActor = pitboss(['audit', 'log', '--database', f.url, '--actor', 'admin', '--format', 'text']);
    const kill = entries.find((e) => e.action === 'flag.kill_switch');
    expect(byActor.stdout).toContain(
      `${kill.seq} ${kill.at} ${kill.actor} flag.kill_switch flag:payments_v2 — PSP B failing\n`,
    );
    expect(byActor.stdout).not.toContain('flag.create');
    const since = pitboss(['audit', 'log', '--database', f.url, '--since', kill.at]);
    expect(
      since.stdout
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l).seq),
    ).toEqual(entries.filter((e) => e.at >= kill.at).map((e) => e.seq));
    const until = pitboss(['audit', 'log', '--database', f.url, '--until', entries[0].at]);
    expect(until.stdout).toBe('');
  });

  it('takes a checkpoint the prove command accepts, and rejects a checkpoint from elsewhere', () => {
    const taken = pitboss(['audit', 'checkpoint', '--database', f.url]);
    expect(taken.code).toBe(0);
    const checkpoint = JSON.parse(taken.stdout);
    expect(checkpoint).toMatchObject({
      size: entries.length,
      rootHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    const file = join(dir, `cp-${driver}.json`);
    writeFileSync(file, taken.stdout);
    expect(pitboss(['audit', 'prove', '--database', f.url, '--from-checkpoint', file]).code).toBe(0);
    // Wrapped the way the API answers, too.
    writeFileSync(file, JSON.stringify({ checkpoint, created: true }));
    expect(pitboss(['audit', 'prove', '--database', f.url, '--from-checkpoint', file]).code).toBe(0);
    // Same size, another root: some other log, or this one rewritten since.
    writeFileSync(file, JSON.stringify({ ...checkpoint, rootHash: 'ab'.repeat(32) }));
    const other = pitboss(['audit', 'prove', '--database', f.url, '--from-checkpoint', file]);
    expect(other.stdout).toMatch(/^inconsistent: /);
    expect(other.code).toBe(1);
    writeFileSync(file, JSON.stringify({ ...checkpoint, size: checkpoint.size + 50 }));
    const ahead = pitboss(['audit', 'prove', '--database', f.url, '--from-checkpoint', file]);
    expect(ahead.stdout).toMatch(/^inconsistent: the database has no checkpoint of \d+ or more entries/);
    expect(ahead.code).toBe(1);
  });

  it('reports bad input in one line with exit code 2', () => {
    const file = join(dir, 'not-a-checkpoint.json');
    writeFileSync(file, '{"size": "ten"}');
    const cases = [
      pitboss(['audit', 'log', '--database', f.url, '--since', 'last tuesday']),
      pitboss(['audit', 'prove', '--database', f.url, '--from-checkpoint', file]),
      pitboss(['audit', 'prove', '--database', f.url, '--from-checkpoint', join(dir, 'missing.json')]),
      pitboss(['audit', 'verify', '--database', 'mysql://localhost/x']),
      pitboss(['audit', 'verify']),
      pitboss(['audit', 'verify', '--database', f.url, '--public-key', file]),
    ];
    expect(cases.map((c) => c.code)).toEqual([2, 2, 2, 2, 2, 2]);
    for (const c of cases) noTrace(c);
    expect(cases.map((c) => c.stderr.split('\n')[0])).toEqual([
      "pitboss: --since must be an ISO 8601 time, not 'last tuesday'",
      `pitboss: ${file}: expected a checkpoint: { "size": <entries>, "rootHash": "<64 hex digits>" }`,
      `pitboss: cannot read ${join(dir, 'missing.json')}: ENOENT`,
      "pitboss: BAD_REQUEST: unsupported database URL 'mysql:…'; use sqlite:<path> or postgres://…",
      "error: required option '--database <url>' not specified",
      'pitboss: BAD_REQUEST: the public key must be an Ed25519 SPKI PEM',
    ]);
  });

  it('exports a corrupt entry as stored, says so, and exits 1', async () => {
    await dropAppendOnly(f.raw);
    await sql`update audit_log set before = 'not json' where seq = 1`.execute(f.raw.db);
    const r = pitboss(['audit', 'log', '--database', f.url]);
    expect(r.stderr).toBe('pitboss: entry 1 is corrupt (its before is not valid JSON); exported as stored\n');
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(entries.length);
    expect(JSON.parse(r.stdout.split('\n')[0]!)).toMatchObject({ seq: 1, before: 'not json' });
    expect(r.code).toBe(1);
  });
});
