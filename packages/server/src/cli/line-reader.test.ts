import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readLineBatches } from './line-reader.js';

async function lines(chunks: string[]): Promise<[number, string][]> {
  const out: [number, string][] = [];
  for await (const { lines, firstLine } of readLineBatches(Readable.from(chunks), 'test')) {
    for (let i = 0; i < lines.length; i++) out.push([firstLine + i, lines[i]!]);
  }
  return out;
}

describe('readLineBatches', () => {
  it('joins lines split across chunks and numbers them', async () => {
    expect(await lines(['{"a":', '1}\n{"b"', ':2}\n\n', 'last'])).toEqual([
      [1, '{"a":1}'],
      [2, '{"b":2}'],
      [3, ''],
      [4, 'last'],
    ]);
  });

  it('drops the \\r of CRLF, even when the \\n arrives in the next chunk', async () => {
    expect(await lines(['a\r', '\nb\r\n', 'c\r'])).toEqual([
      [1, 'a'],
      [2, 'b'],
      [3, 'c'],
    ]);
  });

  it('yields nothing for empty input', async () => {
    expect(await lines([])).toEqual([]);
  });
});
