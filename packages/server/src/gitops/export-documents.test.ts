import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@pitboss/engine';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { flagDocument } from './export-documents.js';

const EXAMPLE = fileURLToPath(new URL('../../../../examples/flags.yaml', import.meta.url));
const { config } = loadConfig(parse(readFileSync(EXAMPLE, 'utf8')));

/** The document read back into the model, as `apply` does. */
function readBack(doc: Record<string, unknown>) {
  const { kind: _document, flagKind, ...rest } = doc;
  return loadConfig({ environments: config.environments, flags: [{ ...rest, kind: flagKind }] }).config
    .flags[0];
}

describe('flagDocument', () => {
  it.each(config.flags.map((f) => [f.key, f] as const))('%s round-trips through the loader', (_key, flag) => {
    const doc = flagDocument(flag, config.environments);
    expect(doc).toMatchObject({ kind: 'Flag', key: flag.key, flagKind: flag.kind });
    expect(readBack(doc)).toEqual(flag);
  });

  it('writes shared fields once and overrides per environment, leaving defaults out', () => {
    const doc = flagDocument(config.flags.find((f) => f.key === 'new_game_provider')!, config.environments);
    expect(doc).toEqual({
      kind: 'Flag',
      key: 'new_game_provider',
      flagKind: 'ops',
      description: expect.any(String),
      owner: 'team-casino',
      tags: ['casino', 'provider'],
      expiresAt: '2027-01-31T00:00:00.000Z',
      defaultVariant: 'on',
      environments: { prod: { killSwitch: true } },
    });
  });
});
