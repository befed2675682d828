// Pitboss: compile the article's flag JSON verbatim and evaluate it with the engine's hot path.
// The engine's own context shape is the canonical one, so inputs are the generated contexts as-is.
// BENCH_PITBOSS_ENGINE=/path/to/dist/index.js benchmarks another build (e.g. a branch's) instead.
import { pathToFileURL } from 'node:url';
import { ARTICLE_FLAG_JSON, FLAG_KEY } from '../flag.js';

const override = process.env.BENCH_PITBOSS_ENGINE;
const { compile } = await import(override ? pathToFileURL(override).href : '@pitboss/engine');

export default {
  name: 'pitboss',
  pkg: '@pitboss/engine',
  kind: 'pitboss',
  async setup(contexts) {
    const { config, diagnostics } = compile({ flags: [JSON.parse(ARTICLE_FLAG_JSON)] });
    const errors = (diagnostics ?? []).filter((d) => d?.severity === 'error');
    if (!config || errors.length > 0) throw new Error('compile failed: ' + JSON.stringify(diagnostics));
    return {
      inputs: contexts,
      evaluate: (ctx) => config.evaluate(FLAG_KEY, 'prod', ctx).value,
    };
  },
};
