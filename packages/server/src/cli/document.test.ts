import { readFileSync } from 'node:fs';
import { compile, type Diagnostic } from '@pitboss/engine';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type FileDiagnostic, formatOf, parseSource } from './document.js';

/** Parses `text`, compiles it and places every engine diagnostic: what `pitboss validate` reports. */
function placed(text: string, file = 'flags.yaml'): FileDiagnostic[] {
  const doc = parseSource(text, file);
  expect(doc.value, JSON.stringify(doc.diagnostics)).toBeDefined();
  return compile(doc.value).diagnostics.map((d) => doc.locate(d));
}

function one(text: string, code: Diagnostic['code'], file?: string): FileDiagnostic {
  const found = placed(text, file).filter((d) => d.code === code);
  expect(found, JSON.stringify(placed(text, file))).toHaveLength(1);
  return found[0]!;
}

/** The 1-based line and column of the first occurrence of `needle` in `text` (plus `delta` characters). */
function where(text: string, needle: string, delta = 0): { fileLine: number; fileColumn: number } {
  const offset = text.indexOf(needle) + delta;
  expect(offset).toBeGreaterThanOrEqual(delta);
  const before = text.slice(0, offset).split('\n');
  return { fileLine: before.length, fileColumn: before[before.length - 1]!.length + 1 };
}

const EXPIRES = 'expiresAt: 2099-01-01';

describe('formatOf', () => {
  it('goes by extension, then sniffs', () => {
    expect(formatOf('a.json', 'x: 1')).toBe('json');
    expect(formatOf('a.YML', '{}')).toBe('yaml');
    expect(formatOf('flags', '  {"feature": "x"}')).toBe('json');
    expect(formatOf('flags', 'feature: x')).toBe('yaml');
  });
});

describe('parse problems', () => {
  it('names the line and column of malformed JSON', () => {
    const doc = parseSource('{\n  "feature": "x",\n  "rules": [}\n', 'a.json');
    expect(doc.value).toBeUndefined();
    expect(doc.diagnostics).toMatchObject([
      { code: 'CONFIG_PARSE', severity: 'error', fileLine: 3, fileColumn: 13 },
    ]);
    expect(doc.diagnostics[0]!.message).toMatch(/expected a value, found '}'/);
  });

  it('rejects what YAML would accept but JSON does not (trailing comma)', () => {
    const doc = parseSource('{"feature": "x",}', 'a.json');
    expect(doc.diagnostics).toMatchObject([{ code: 'CONFIG_PARSE', fileLine: 1, fileColumn: 16 }]);
  });

  it('names the line and column of malformed YAML', () => {
    const doc = parseSource('flags:\n  a: [1, 2\n  b: 3\n', 'a.yaml');
    expect(doc.value).toBeUndefined();
    expect(doc.diagnostics[0]).toMatchObject({ code: 'CONFIG_PARSE', fileLine: 3, fileColumn: 3 });
    expect(doc.diagnostics[0]!.message).toMatch(/^invalid YAML: /);
  });

  it('accepts one document per file only', () => {
    const doc = parseSource('feature: a\n---\nfeature: b\n', 'a.yaml');
    expect(doc.diagnostics).toMatchObject([{ code: 'CONFIG_PARSE', fileLine: 2, fileColumn: 1 }]);
    expect(doc.diagnostics[0]!.message).toMatch(/one document per file/);
  });

  it('reports empty files and documents', () => {
    expect(parseSource('', 'a.yaml').diagnostics).toMatchObject([{ code: 'CONFIG_PARSE' }]);
    expect(parseSource('  \n', 'a.json').diagnostics).toMatchObject([{ code: 'CONFIG_PARSE' }]);
    expect(parseSource('# nothing\n', 'a.yaml').diagnostics).toMatchObject([{ code: 'CONFIG_PARSE' }]);
  });

  it('reports duplicate keys, in YAML and JSON, and still loads the rest', () => {
    const yaml = parseSource('feature: a\nfeature: b\n', 'a.yaml');
    expect(yaml.diagnostics).toMatchObject([{ code: 'CONFIG_DUPLICATE_KEY', fileLine: 2, fileColumn: 1 }]);
    expect(yaml.value).toBeDefined();
    const json = parseSource('{"feature": "a",\n "feature": "b"}', 'a.json');
    expect(json.diagnostics).toMatchObject([{ code: 'CONFIG_DUPLICATE_KEY', fileLine: 2, fileColumn: 2 }]);
  });

  it('ignores a byte-order mark', () => {
    expect(parseSource('\ufeff{"feature": "a"}', 'a.json').diagnostics).toEqual([]);
  });
});

describe('engine diagnostics placed in the file', () => {
  it('points an unknown field at its key', () => {
    const text = `flags:\n  payments_v2:\n    ${EXPIRES}\n    rolout: 0.5\n`;
    expect(one(text, 'CONFIG_UNKNOWN_FIELD')).toMatchObject({
      ...where(text, 'rolout'),
      excerpt: '    rolout: 0.5\n    ^^^^^^',
    });
  });

  it('points an impossible rollout at the value', () => {
    const text = `feature: a\n${EXPIRES}\nrules:\n  - if: market == 'DE'\n    rollout: 1.5\n`;
    expect(one(text, 'FLAG_INVALID_ROLLOUT')).toMatchObject({
      ...where(text, '1.5'),
      flag: 'a',
      ruleIndex: 0,
    });
  });

  it('maps the bare flag shape (the article) and a bare list to the file root', () => {
    const single = '{"feature": "a", "rules": [{"if": "x ==", "rollout": 0.5}], "expiresAt": "2099-01-01"}';
    expect(one(single, 'EXPR_SYNTAX', 'a.json')).toMatchObject({
      fileLine: 1,
      ...where(single, '", "rollout"'),
    });
    const list = `- key: a\n  ${EXPIRES}\n  bogus: 1\n`;
    expect(one(list, 'CONFIG_UNKNOWN_FIELD')).toMatchObject(where(list, 'bogus'));
  });

  it('adds the expression column to a quoted JSON string, past its escapes', () => {
    const text =
      '{\n  "feature": "a",\n  "expiresAt": "2099-01-01",\n  "rules": [{"if": "brand == \\"X\\" && && y"}]\n}';
    // The second && is at column 17 of the expression; the file has two backslashes before it.
    const d = one(text, 'EXPR_SYNTAX', 'a.json');
    expect(d).toMatchObject({ line: 1, column: 17, ...where(text, '&& && y', 3) });
  });

  it('adds the expression column to a plain YAML scalar', () => {
    const text = `feature: a\n${EXPIRES}\nrules:\n  - if: market in ['DE'] && brand === 'X'\n`;
    expect(one(text, 'EXPR_SYNTAX')).toMatchObject(where(text, "= 'X'"));
  });

  it('handles YAML single quotes, where two quotes are one', () => {
    const text = `feature: a\n${EXPIRES}\nrules:\n  - if: 'name == ''it'' && && x'\n`;
    expect(one(text, 'EXPR_SYNTAX')).toMatchObject(where(text, '&& x'));
  });

  it('adds the expression line and column to a YAML block scalar', () => {
    const text = `feature: a\n${EXPIRES}\nrules:\n  - if: |\n      market in ['DE']\n        && brand === 'X'\n`;
    const d = one(text, 'EXPR_SYNTAX');
    expect(d).toMatchObject({ line: 2, ...where(text, "= 'X'") });
  });

  it('follows folding in a folded block scalar and a multi-line plain scalar', () => {
    const folded = `feature: a\n${EXPIRES}\nrules:\n  - if: >-\n      market in ['DE']\n      && brand === 'X'\n`;
    expect(one(folded, 'EXPR_SYNTAX')).toMatchObject(where(folded, "= 'X'"));
    const plain = `feature: a\n${EXPIRES}\nrules:\n  - if: market in ['DE']\n      && brand === 'X'\n`;
    expect(one(plain, 'EXPR_SYNTAX')).toMatchObject(where(plain, "= 'X'"));
  });

  it('places "unexpected end" at the end of the text, not on the line after a block scalar', () => {
    const text = `feature: a\n${EXPIRES}\nrules:\n  - if: |\n      market in ['DE'] &&\n    rollout: 0.5\n`;
    expect(one(text, 'EXPR_SYNTAX')).toMatchObject(where(text, '&&\n', 2));
  });

  it('places segment expressions, in the long and the shorthand form', () => {
    const text = `segments:\n  a:\n    if: x ==\n  b: y !=\nflags: []\n`;
    const found = placed(text).filter((d) => d.code === 'EXPR_SYNTAX');
    expect(found).toMatchObject([where(text, 'x ==', 4), where(text, 'y !=', 4)]);
  });

  it('places a flag-level prerequisite, reported once for all environments', () => {
    const text = `flags:\n  a:\n    ${EXPIRES}\n    environments:\n      dev: {enabled: true}\n    prerequisites:\n      - flag: nope\n`;
    const found = placed(text).filter((d) => d.code === 'FLAG_UNKNOWN_PREREQUISITE');
    expect(found).toHaveLength(1);
    for (const d of found) expect(d).toMatchObject(where(text, 'flag: nope'));
  });

  it('points an unknown split variant at its key', () => {
    const text = `feature: a\n${EXPIRES}\nrules:\n  - split: {on: 0.5, of: 0.5}\n`;
    expect(one(text, 'FLAG_UNKNOWN_VARIANT')).toMatchObject(where(text, 'of:'));
  });

  it('follows aliases to the text they name', () => {
    const text = `segments:\n  a:\n    if: &cond x ==\nflags:\n  - key: b\n    ${EXPIRES}\n    rules:\n      - if: *cond\n`;
    const found = placed(text).filter((d) => d.code === 'EXPR_SYNTAX');
    expect(found.length).toBeGreaterThan(0);
    for (const d of found) expect(d).toMatchObject(where(text, 'x ==', 4));
  });
});

describe('robustness', () => {
  const examples = ['flags.yaml', 'article.json'].map((name) => ({
    name,
    text: readFileSync(new URL(`../../../../examples/${name}`, import.meta.url), 'utf8'),
  }));

  it('never throws on mangled configs, and every position is inside the file', () => {
    const junk = fc.constantFrom(
      '',
      ' ',
      '\n',
      '"',
      "'",
      ':',
      '-',
      '[',
      '{',
      '}',
      '&&',
      '\\',
      '#',
      '|',
      '---\n',
      '\t',
    );
    fc.assert(
      fc.property(
        fc.constantFrom(...examples),
        fc.nat(),
        fc.nat(8),
        junk,
        ({ name, text }, at, cut, insert) => {
          const i = at % text.length;
          const mangled = text.slice(0, i) + insert + text.slice(i + cut);
          const doc = parseSource(mangled, name);
          const all =
            doc.value === undefined
              ? doc.diagnostics
              : compile(doc.value).diagnostics.map((d) => doc.locate(d));
          const lines = mangled.split('\n').length;
          for (const d of all) {
            if (d.fileLine === undefined) continue;
            expect(d.fileLine).toBeGreaterThanOrEqual(1);
            expect(d.fileLine).toBeLessThanOrEqual(lines);
            expect(d.fileColumn).toBeGreaterThanOrEqual(1);
            if (d.column === undefined || d.excerpt === undefined) continue;
            // A rule-language position lands on the same character in the file (or on the escape that wrote it).
            const inExpression = d.excerpt.split('\n')[0]![d.column - 1];
            const inFile = mangled.split('\n')[d.fileLine - 1]![d.fileColumn! - 1];
            if (inExpression !== undefined && inFile !== '\\') expect(inFile).toBe(inExpression);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
