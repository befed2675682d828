import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Runs the built CLI (`npm test` builds first), from the repo root so `examples/...` paths resolve.
const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const ARTICLE = ['--config', 'examples/article.json', '--flag', 'payments_v2'];
let dir: string;

function pitboss(args: string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', input });
  expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/^\s+at /m);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function evalOne(context: object, ...extra: string[]): unknown {
  const r = pitboss(['eval', ...ARTICLE, '--context', JSON.stringify(context), ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pitboss-eval-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pitboss eval --context', () => {
  // p-15 lands in the first 25 % of payments_v2's buckets, p-1 does not (murmur3 of the salt and the id).
  it('serves the article rollout to a German player inside the bucket', () => {
    expect(evalOne({ user: { id: 'p-15' }, market: 'DE' })).toEqual({
      flag: 'payments_v2',
      env: 'prod',
      value: true,
      variant: 'on',
      reason: 'SPLIT',
      ruleIndex: 0,
    });
  });

  it('does not serve it to a German player outside the bucket', () => {
    expect(evalOne({ user: { id: 'p-1' }, market: 'DE' })).toEqual({
      flag: 'payments_v2',
      env: 'prod',
      value: false,
      variant: 'off',
      reason: 'DEFAULT',
    });
  });

  it('serves every brand-X employee, wherever they play', () => {
    expect(evalOne({ user: { id: 'p-1', isEmployee: true }, brand: 'X', market: 'UK' })).toMatchObject({
      value: true,
      reason: 'TARGETING_MATCH',
      ruleIndex: 1,
    });
  });

  it('explains rule by rule', () => {
    const out = evalOne({ user: { id: 'p-1' }, market: 'DE' }, '--explain') as Record<string, unknown>;
    expect(out).toMatchObject({ reason: 'DEFAULT', stickiness: { attribute: 'user.id', value: 'p-1' } });
    const rules = out.rules as { matched: boolean; bucket?: number; threshold?: number; notes: string[] }[];
    expect(rules).toHaveLength(2);
    expect(rules[0]).toMatchObject({ index: 0, matched: true, decided: false, threshold: 250_000 });
    expect(rules[0]!.bucket).toBeGreaterThanOrEqual(250_000);
    expect(rules[1]).toMatchObject({ index: 1, matched: false });
    expect(rules[1]!.notes.length).toBeGreaterThan(0);
  });

  it('rejects a malformed --context, naming the option and the position', () => {
    const r = pitboss(['eval', ...ARTICLE, '--context', '{"market": "DE",}']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('--context is not valid JSON: trailing comma');
    expect(r.stderr).toContain('column 16');
  });

  it('evaluates a config with errors: diagnostics on stderr, PARSE_ERROR, exit 1', () => {
    const config = join(dir, 'broken.yaml');
    writeFileSync(config, 'feature: a\nexpiresAt: 2099-01-01\nrules:\n  - if: market ==\n');
    const r = pitboss(['eval', '--config', config, '--flag', 'a', '--context', '{}']);
    expect(r.stderr).toContain(`${config}:4:18: error EXPR_SYNTAX`);
    expect(JSON.parse(r.stdout)).toMatchObject({ reason: 'ERROR', errorCode: 'PARSE_ERROR', value: null });
    expect(r.code).toBe(1);
  });

  it('refuses an unknown flag or environment', () => {
    expect(
      pitboss(['eval', '--config', 'examples/article.json', '--flag', 'nope', '--context', '{}']),
    ).toMatchObject({ code: 2 });
    const r = pitboss(['eval', ...ARTICLE, '--env', 'production', '--context', '{}']);
    expect(r.stderr).toContain("no environment 'production'");
    expect(r.code).toBe(2);
  });
});

describe('pitboss eval --contexts', () => {
  it('prints one line per context and carries on past a malformed line', () => {
    const file = join(dir, 'players.jsonl');
    const lines = [
      '{"user": {"id": "p-15"}, "market": "DE"}',
      '',
      '{"user": {"id": "p-1"}, "market": "DE"',
      '  ',
      '{"user": {"id": "e-1", "isEmployee": true}, "brand": "X"}',
      '[1]',
      '{"user": {"id": "p-1"}, "market": "SE"}',
    ];
    writeFileSync(file, `${lines.join('\r\n')}\r\n`);
    const r = pitboss(['eval', ...ARTICLE, '--contexts', file]);
    const out = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out).toEqual([
      { flag: 'payments_v2', env: 'prod', value: true, variant: 'on', reason: 'SPLIT', ruleIndex: 0 },
      { line: 3, error: { code: 'CONTEXT_PARSE', message: expect.stringContaining('column 39') } },
      {
        flag: 'payments_v2',
        env: 'prod',
        value: true,
        variant: 'on',
        reason: 'TARGETING_MATCH',
        ruleIndex: 1,
      },
      { line: 6, error: { code: 'CONTEXT_PARSE', message: 'a context must be a JSON object, not a list' } },
      { flag: 'payments_v2', env: 'prod', value: false, variant: 'off', reason: 'DEFAULT' },
    ]);
    expect(r.code).toBe(1);
  });

  it('reads stdin with -', () => {
    const r = pitboss(['eval', ...ARTICLE, '--contexts', '-'], '{"user": {"id": "p-1"}, "market": "SE"}');
    expect(JSON.parse(r.stdout)).toMatchObject({ variant: 'off', reason: 'DEFAULT' });
    expect(r.code).toBe(0);
  });

  it('summarises who would get a flag, by market', () => {
    const args = ['eval', '--config', 'examples/flags.yaml', '--flag', 'lobby_layout'];
    const r = pitboss([...args, '--contexts', 'examples/players.jsonl', '--summary', '--by', 'market']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^lobby_layout in prod: 2000 contexts$/m);
    expect(r.stdout).toMatch(/^variant +reason +rule +contexts +share$/m);
    const rows = tableRows(r.stdout, 'market');
    expect(Object.keys(rows).sort()).toEqual(['DE', 'FI', 'MT', 'NO', 'SE', 'UK']);
    expect(Object.values(rows).reduce((n, row) => n + Number(row[0]), 0)).toBe(2000);
    // The experiment runs in the Nordics only: elsewhere everyone gets the classic lobby.
    // Cells: contexts, then `count (share)` per variant, classic first (the most served).
    expect(r.stdout).toMatch(/^market +contexts +classic +grid$/m);
    for (const market of ['DE', 'MT', 'UK']) expect(rows[market]!.slice(3)).toEqual(['0', '(0.0%)']);
    for (const market of ['SE', 'NO', 'FI']) expect(Number(rows[market]![3])).toBeGreaterThan(100);
  });

  it('refuses --summary without --contexts', () => {
    expect(pitboss(['eval', ...ARTICLE, '--context', '{}', '--summary']).code).toBe(2);
  });
});

/** The rows of the table headed by `first`, by their first cell; cells split on whitespace. */
function tableRows(text: string, first: string): Record<string, string[]> {
  const table = text.slice(text.search(new RegExp(`^${first} `, 'm'))).split('\n\n')[0]!;
  const rows: Record<string, string[]> = {};
  for (const line of table.split('\n').slice(1)) {
    if (line.trim() === '') continue;
    const [key, ...cells] = line.trim().split(/\s+/);
    rows[key!] = cells;
  }
  return rows;
}
