import { describe, expect, it } from 'vitest';
import { parseDocumentStream } from './read-documents.js';

const at = (d: { fileLine?: number; fileColumn?: number }) => `${d.fileLine}:${d.fileColumn}`;

describe('parseDocumentStream', () => {
  it('reads every YAML document, skipping empty ones', () => {
    const { documents, diagnostics } = parseDocumentStream(
      '---\nkind: Segment\nkey: a\n---\n# nothing\n---\nkind: Flag\nkey: b\n',
      'x.yaml',
    );
    expect(diagnostics).toEqual([]);
    expect(documents.map((d) => [d.indexInFile, d.value])).toEqual([
      [0, { kind: 'Segment', key: 'a' }],
      [1, { kind: 'Flag', key: 'b' }],
    ]);
  });

  it('places a path inside the third document on the file line', () => {
    const text =
      'kind: Segment\nkey: a\nif: "true"\n---\nkind: Flag\nkey: b\n---\nkind: Flag\nkey: c\nrules:\n  - if: a = 1\n';
    const { documents } = parseDocumentStream(text, 'x.yaml');
    const d = documents[2]!.locate({
      severity: 'error',
      code: 'EXPR_SYNTAX',
      message: 'm',
      path: ['rules', 0, 'if'],
      line: 1,
      column: 3,
    });
    expect([d.file, at(d)]).toEqual(['x.yaml', '11:11']);
    expect(
      at(documents[1]!.locate({ severity: 'error', code: 'CONFIG_TYPE', message: 'm', path: ['key'] })),
    ).toBe('6:6');
  });

  it('reports a broken document and keeps the others', () => {
    const { documents, diagnostics } = parseDocumentStream(
      'kind: Flag\nkey: a\n---\nkind: Flag\nkey: [b\n',
      'x.yaml',
    );
    expect(documents).toHaveLength(1);
    expect(diagnostics[0]).toMatchObject({ severity: 'error', code: 'CONFIG_PARSE', file: 'x.yaml' });
  });

  it('reports duplicate keys and files without documents', () => {
    expect(parseDocumentStream('kind: Flag\nkind: Flag\n', 'x.yaml').diagnostics[0]).toMatchObject({
      code: 'CONFIG_DUPLICATE_KEY',
      fileLine: 2,
    });
    expect(parseDocumentStream('# only a comment\n', 'x.yaml').diagnostics[0]?.message).toBe(
      'the file holds no documents',
    );
  });

  it('reads a JSON list of documents with positions per item', () => {
    const text = '[\n  {"kind": "Flag", "key": "a"},\n  {"kind": "Flag", "key": 7}\n]\n';
    const { documents } = parseDocumentStream(text, 'x.json');
    expect(documents.map((d) => d.indexInFile)).toEqual([0, 1]);
    expect(
      at(documents[1]!.locate({ severity: 'error', code: 'CONFIG_TYPE', message: 'm', path: ['key'] })),
    ).toBe('3:27');
    expect(parseDocumentStream('{"kind": "Flag",}', 'x.json').diagnostics[0]).toMatchObject({
      code: 'CONFIG_PARSE',
    });
  });
});
