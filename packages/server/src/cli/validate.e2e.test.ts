import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Runs the built CLI (`npm test` builds first), from the repo root so `examples/...` paths resolve.
const BIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
let dir: string;

function pitboss(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  // No input, however broken, may produce a stack trace.
  expect(`${r.stdout}\n${r.stderr}`).not.toMatch(/^\s+at /m);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pitboss-validate-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('pitboss validate', () => {
  it('passes the examples (warnings alone exit 0)', () => {
    const r = pitboss('validate', 'examples/flags.yaml', 'examples/article.json');
    expect(r.stdout).not.toMatch(/: error /);
    expect(r.stdout).toMatch(/^0 errors, \d+ warnings? in 2 files$/m);
    expect(r.code).toBe(0);
  });

  it('names the position of malformed JSON', () => {
    const f = file('broken.json', '{\n  "feature": "a",\n  "rules": [\n    {"rollout": 0.5,}\n  ]\n}\n');
    const r = pitboss('validate', f);
    expect(r.stdout).toContain(`${f}:4:20: error CONFIG_PARSE invalid JSON: trailing comma before '}'`);
    expect(r.stdout).toMatch(/^1 error, 0 warnings in 1 file$/m);
    expect(r.code).toBe(1);
  });

  it('names the position of malformed YAML', () => {
    const f = file('broken.yaml', 'feature: a\nrules:\n  - if: x\n   rollout: [0.5\n');
    const r = pitboss('validate', f);
    expect(r.stdout).toMatch(
      new RegExp(`^${escapeRegExp(f)}:\\d+:\\d+: error CONFIG_PARSE invalid YAML: `, 'm'),
    );
    expect(r.code).toBe(1);
  });

  it('points an unknown field at its key', () => {
    const f = file('unknown.yaml', 'flags:\n  payments_v2:\n    expiresAt: 2099-01-01\n    rulez: []\n');
    const r = pitboss('validate', f);
    expect(r.stdout).toContain(`${f}:4:5: error CONFIG_UNKNOWN_FIELD unknown field 'rulez'`);
    expect(r.stdout).toContain("did you mean 'rules'? (flag payments_v2)\n        rulez: []\n        ^^^^^");
    expect(r.code).toBe(1);
  });

  it('points a bad expression at the character inside a quoted JSON string', () => {
    const f = file(
      'expr.json',
      '{"feature": "a", "expiresAt": "2099-01-01",\n "rules": [{"if": "brand == \\"X\\" && && y"}]}\n',
    );
    const r = pitboss('validate', f);
    // Column 17 of the expression: the string starts at column 20 and two escapes come before the &&.
    expect(r.stdout).toContain(`${f}:2:38: error EXPR_SYNTAX expected a value, found '&&' (flag a, rule 0)`);
    expect(r.stdout).toContain('    brand == "X" && && y\n                    ^^');
    expect(r.code).toBe(1);
  });

  it('points a bad expression at the character inside a plain YAML scalar and a block scalar', () => {
    const yaml = [
      'feature: a',
      'expiresAt: 2099-01-01',
      'environments:',
      '  prod:',
      '    rules:',
      "      - if: market in ['DE'] && brand === 'X'",
      '      - if: |',
      "          market in ['SE']",
      "            && brand === 'Y'",
      '',
    ].join('\n');
    const f = file('expr.yaml', yaml);
    const r = pitboss('validate', f);
    expect(r.stdout).toContain(`${f}:6:41: error EXPR_SYNTAX unexpected character '='`);
    expect(r.stdout).toContain('(flag a, env prod, rule 0)');
    expect(r.stdout).toContain(`${f}:9:24: error EXPR_SYNTAX unexpected character '='`);
    expect(r.stdout).toContain('(flag a, env prod, rule 1)');
    expect(r.stdout).toMatch(/^2 errors, 0 warnings in 1 file$/m);
    expect(r.code).toBe(1);
  });

  it('names the flag, environment and rule of an impossible rollout', () => {
    const yaml =
      'flags:\n  - key: payments_v2\n    expiresAt: 2099-01-01\n    environments:\n      prod:\n        rules:\n          - if: x\n          - rollout: 1.5\n';
    const f = file('rollout.yaml', yaml);
    const r = pitboss('validate', f);
    expect(r.stdout).toContain(
      `${f}:8:22: error FLAG_INVALID_ROLLOUT rollout must be a fraction from 0 to 1, not 1.5`,
    );
    expect(r.stdout).toContain('(flag payments_v2, env prod, rule 1)');
    expect(r.code).toBe(1);
  });

  it('prints JSON with file positions', () => {
    const f = file('json-format.yaml', 'feature: a\nexpiresAt: 2099-01-01\nbogus: 1\n');
    const r = pitboss('validate', '--format', 'json', f);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject([
      { code: 'CONFIG_UNKNOWN_FIELD', file: f, fileLine: 3, fileColumn: 1, path: ['bogus'] },
    ]);
    expect(r.code).toBe(1);
  });

  it('rejects multi-document YAML, empty files and unreadable files without a trace', () => {
    const multi = file('multi.yaml', 'feature: a\n---\nfeature: b\n');
    expect(pitboss('validate', multi).stdout).toContain(
      `${multi}:2:1: error CONFIG_PARSE one document per file`,
    );
    const empty = file('empty.yaml', '');
    expect(pitboss('validate', empty).stdout).toContain(`${empty}: error CONFIG_PARSE the file is empty`);
    const missing = pitboss('validate', join(dir, 'missing.yaml'));
    expect(missing.stderr).toContain('cannot read');
    expect(missing.code).toBe(2);
    expect(pitboss('validate', dir).code).toBe(2);
  });

  it('survives hostile input', () => {
    const deep = file('deep.json', `${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(pitboss('validate', deep).code).toBe(1);
    const binary = file('binary.yaml', '\u0000\u0001\u0002: [\u00ff');
    expect(pitboss('validate', binary).code).toBe(1);
  });
});

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
