import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatPath } from '@pitboss/engine';
import { parseAllDocuments } from 'yaml';
import { PitbossError } from '../errors.js';
import type { AnalysisTemplate } from './analysis-template.js';
import { readAnalysisTemplate } from './read-analysis-template.js';

/**
 * The analysis templates shipped with the server (`packages/server/templates/analysis`), for the article's
 * gates: login success, deposit latency, WebSocket RTT, deposit success per PSP, the hard stops and the
 * baseline-vs-canary comparisons. Resolved from this module's own location: `src/analysis` under Vitest and
 * `dist/analysis` once built are both two levels below the package root.
 */
export const SHIPPED_TEMPLATES_DIR: string = fileURLToPath(
  new URL('../../templates/analysis/', import.meta.url),
);

/**
 * Reads every `*.yaml` in SHIPPED_TEMPLATES_DIR (each may hold several documents), sorted by name. A shipped
 * file that does not parse or read without errors is a packaging bug: it throws a PitbossError (INTERNAL)
 * naming the file and the field.
 */
export function loadShippedTemplates(): AnalysisTemplate[] {
  const files = readdirSync(SHIPPED_TEMPLATES_DIR)
    .filter((f) => f.endsWith('.yaml') || f.endsWith('.yml'))
    .sort();
  const templates: AnalysisTemplate[] = [];
  for (const file of files) {
    const text = readFileSync(join(SHIPPED_TEMPLATES_DIR, file), 'utf8');
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0)
        throw new PitbossError(
          'INTERNAL',
          `shipped template ${file} does not parse: ${doc.errors[0]!.message}`,
        );
      const { template, diagnostics } = readAnalysisTemplate(doc.toJS());
      const error = diagnostics.find((d) => d.severity === 'error');
      if (template === undefined || error !== undefined)
        throw new PitbossError(
          'INTERNAL',
          `shipped template ${file} is invalid: ${error ? `${formatPath(error.path)}: ${error.message}` : 'no template'}`,
          diagnostics,
        );
      templates.push(template);
    }
  }
  return templates;
}
