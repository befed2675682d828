import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '@pitboss/engine';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readAnalysisTemplate } from '../analysis/read-analysis-template.js';
import { readGatewayConfig } from '../gateway/read-gateway-config.js';
import { sortDocuments } from '../gitops/document-kinds.js';
import { readRollout } from '../rollouts/read-rollout.js';

// Every YAML example of docs/config-reference.md goes through the reader that the document's kind has in the
// product, so an example that drifts from the readers (a renamed field, a wrong default shape) fails here.
const DOC = fileURLToPath(new URL('../../../../docs/config-reference.md', import.meta.url));

function examples(): { line: number; doc: Record<string, unknown> }[] {
  const lines = readFileSync(DOC, 'utf8').split('\n');
  const out: { line: number; doc: Record<string, unknown> }[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```yaml') continue;
    const start = i + 1;
    const body: string[] = [];
    for (i++; lines[i] !== '```'; i++) body.push(lines[i]!);
    out.push({ line: start, doc: parse(body.join('\n')) });
  }
  return out;
}

function errorsOf(doc: Record<string, unknown>): { severity: string; message: string }[] {
  switch (doc.kind) {
    case 'Environment':
    case 'Segment':
    case 'Preset':
      return sortDocuments([doc]).diagnostics;
    case 'Flag': {
      const sorted = sortDocuments([doc]);
      return [
        ...sorted.diagnostics,
        ...loadConfig({ flags: sorted.flags.map((f) => f.authored) }).diagnostics,
      ];
    }
    case 'AnalysisTemplate':
    case 'ClusterAnalysisTemplate':
      return readAnalysisTemplate(doc).diagnostics;
    case 'Rollout':
      return readRollout(doc).diagnostics;
    case 'Gateway':
      return readGatewayConfig(doc).diagnostics;
    case undefined:
      return loadConfig(doc).diagnostics;
    default:
      return [{ severity: 'error', message: `no reader for kind ${String(doc.kind)}` }];
  }
}

describe('docs/config-reference.md', () => {
  const all = examples();

  it('has an example of every kind', () => {
    expect(new Set(all.map((e) => e.doc.kind ?? 'config'))).toEqual(
      new Set([
        'Environment',
        'Segment',
        'Flag',
        'Preset',
        'AnalysisTemplate',
        'Rollout',
        'config',
        'Gateway',
      ]),
    );
  });

  it.each(all)('the example at line $line reads without errors', ({ doc }) => {
    expect(errorsOf(doc).filter((d) => d.severity === 'error')).toEqual([]);
  });
});
