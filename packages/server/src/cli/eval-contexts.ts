import { forEachContext } from './contexts.js';
import { type Evaluator, RecordSerializer, toExplainedRecord } from './eval-output.js';
import { BatchWriter, writeOut } from './output.js';
import { Summary } from './summary.js';

/** What a contexts run found: lines that were not contexts, and contexts the flag answered with `ERROR`. */
export interface ContextsStats {
  readonly invalid: number;
  readonly errors: number;
}

/** Invalid lines reported on stderr in `--summary` mode before the rest are only counted. */
const MAX_REPORTED = 10;

/**
 * One output line per context line, in order: the evaluation record, or for a malformed line
 * `{"line": N, "error": {"code": "CONTEXT_PARSE", "message": "..."}}`. Blank lines are skipped.
 */
export async function evalContextsFile(
  ev: Evaluator,
  file: string,
  explain: boolean,
): Promise<ContextsStats> {
  const writer = new BatchWriter();
  const serializer = new RecordSerializer(ev.flag, ev.env);
  let invalid = 0;
  let errors = 0;
  await forEachContext(
    file,
    {
      context(ctx) {
        if (explain) {
          const e = ev.explain(ctx);
          if (e.result.reason === 'ERROR') errors++;
          writer.line(JSON.stringify(toExplainedRecord(ev.flag, ev.env, e)));
          return;
        }
        const result = ev.evaluate(ctx);
        if (result.reason === 'ERROR') errors++;
        writer.line(serializer.line(result));
      },
      invalid(line, message) {
        invalid++;
        writer.line(JSON.stringify({ line, error: { code: 'CONTEXT_PARSE', message } }));
      },
    },
    writer,
  );
  return { invalid, errors };
}

/** `--summary [--by attr]`: tables of outcomes instead of lines; malformed lines are reported on stderr. */
export async function summariseContextsFile(
  ev: Evaluator,
  file: string,
  by: string | undefined,
): Promise<ContextsStats> {
  const summary = new Summary(by);
  let invalid = 0;
  let errors = 0;
  await forEachContext(file, {
    context(ctx) {
      const result = ev.evaluate(ctx);
      if (result.reason === 'ERROR') errors++;
      summary.add(result, ctx);
    },
    invalid(line, message) {
      invalid++;
      summary.addInvalid();
      if (invalid <= MAX_REPORTED)
        process.stderr.write(`pitboss: ${file}:${line}: CONTEXT_PARSE ${message}\n`);
      else if (invalid === MAX_REPORTED + 1)
        process.stderr.write('pitboss: more invalid lines are counted, not shown\n');
    },
  });
  await writeOut(summary.render(ev.flag, ev.env, by));
  return { invalid, errors };
}
