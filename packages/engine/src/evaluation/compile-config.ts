import type { Diagnostic } from '../diagnostics.js';
import type { Config, Flag, Rule, ValueType } from '../model/flag.js';
import { type LoadOptions, type LoadResult, loadConfig } from '../model/load-config.js';
import { compileExpression } from '../rules/expression.js';
import type { Context, Predicate } from '../rules/types.js';
import { compileEnvironment, type EnvEvaluator } from './compile-flag.js';
import { type Explanation, explainFlag } from './explain.js';
import { expressionDiagnostics } from './expression-diagnostics.js';
import { type EvaluationResult, failure } from './result.js';
import { SegmentTable } from './segment-table.js';

export interface CompileOptions extends LoadOptions {
  /** The clock `now()` reads, in epoch milliseconds; defaults to `Date.now`. */
  readonly clock?: () => number;
}

export interface CompileResult {
  /** Always usable: flags with errors answer `ERROR` / `PARSE_ERROR`, the others evaluate normally. */
  readonly config: CompiledConfig;
  readonly diagnostics: readonly Diagnostic[];
}

interface CompiledFlag {
  readonly flag: Flag;
  readonly envs: ReadonlyMap<string, EnvEvaluator>;
}

/**
 * Loads and compiles an authored document (a config, a single flag, or a list of flags). Never throws.
 *
 * @example
 * const { config } = compile({ feature: 'payments_v2', rules: [{ if: "market in ['DE','SE']", rollout: 0.25 }], kill_switch: false });
 * config.evaluate('payments_v2', 'prod', { user: { id: 'p-1' }, market: 'DE' });
 * // → { value: true | false, variant: 'on' | 'off', reason: 'SPLIT' | 'DEFAULT', ruleIndex?: 0 }
 */
export function compile(input: unknown, options: CompileOptions = {}): CompileResult {
  const loaded = loadConfig(input, options);
  const diagnostics = [...loaded.diagnostics];
  const clock = options.clock ?? Date.now;
  const segments = new SegmentTable(loaded.config.segments, loaded.origins, clock, (d) =>
    diagnostics.push(d),
  );
  segments.compileAll();
  const predicates = compileRulePredicates(loaded, segments, diagnostics);
  const broken = new Set(
    diagnostics.filter((d) => d.severity === 'error' && d.flag !== undefined).map((d) => d.flag!),
  );
  const config = new CompiledConfig(
    loaded.config,
    diagnostics,
    (flag, env, fenv) => {
      if (broken.has(flag.key)) {
        const parseError = failure(
          'PARSE_ERROR',
          `flag '${flag.key}' has configuration errors and cannot be served`,
        );
        return () => parseError;
      }
      return compileEnvironment(flag, env, flag.environments[env]!, {
        predicate: (rule) => predicates.get(rule),
        evaluator: fenv,
      });
    },
    segments,
    clock,
  );
  return { config, diagnostics };
}

/** Compiles each rule's condition once, even when the rule is shared by all environments. */
function compileRulePredicates(
  { config, origins, rebase }: LoadResult,
  segments: SegmentTable,
  out: Diagnostic[],
): Map<Rule, Predicate | undefined> {
  const predicates = new Map<Rule, Predicate | undefined>();
  for (const flag of config.flags) {
    for (const env of config.environments) {
      flag.environments[env]!.rules.forEach((rule, i) => {
        if (predicates.has(rule) || rule.if === undefined) return;
        const e = compileExpression(rule.if, segments.env());
        predicates.set(rule, e.predicate);
        const path = origins.get(rule) ?? ['flags', flag.key, 'environments', env, 'rules', i];
        const envIndex = path.indexOf('environments');
        const ruleIndex = typeof path[path.length - 1] === 'number' ? (path[path.length - 1] as number) : i;
        const where = {
          flag: flag.key,
          ruleIndex,
          ...(envIndex >= 0 ? { environment: String(path[envIndex + 1]) } : {}),
        };
        out.push(...expressionDiagnostics(e, [...rebase(path), 'if'], where));
      });
    }
  }
  return predicates;
}

type EnvCompiler = (
  flag: Flag,
  env: string,
  evaluator: (flag: string, env: string) => EnvEvaluator | undefined,
) => EnvEvaluator;

/** A compiled, immutable config: evaluate flags by key and environment. Replace it whole to change anything. */
export class CompiledConfig {
  private readonly flags = new Map<string, CompiledFlag>();
  // The last flag and environment looked up: a hot loop evaluating one flag skips both map lookups. Identical
  // strings compare by pointer when they are the same literal, so a hit costs two comparisons.
  private lastKey = '';
  private lastEnv = '';
  private lastFlag: CompiledFlag | undefined;
  private lastRun: EnvEvaluator | undefined;

  /** @internal built by `compile` */
  constructor(
    readonly model: Config,
    readonly diagnostics: readonly Diagnostic[],
    compileEnv: EnvCompiler,
    private readonly segments: SegmentTable,
    private readonly clock: () => number,
  ) {
    const evaluator = (key: string, env: string) => this.flags.get(key)?.envs.get(env);
    for (const flag of model.flags) {
      const envs = new Map<string, EnvEvaluator>();
      for (const env of model.environments) envs.set(env, compileEnv(flag, env, evaluator));
      this.flags.set(flag.key, { flag, envs });
    }
  }

  /**
   * Evaluates flag `key` in environment `env` for `context`. Never throws; allocates nothing on success.
   * With `expected`, a flag of another value type answers `ERROR` / `TYPE_MISMATCH`.
   *
   * @example config.evaluate('payments_v2', 'prod', { user: { id: 'p-42', isEmployee: true }, brand: 'X', market: 'UK' }).value // true
   */
  evaluate(key: string, env: string, context: Context, expected?: ValueType): EvaluationResult {
    try {
      let compiled = this.lastFlag;
      let run = this.lastRun;
      if (key !== this.lastKey || env !== this.lastEnv || compiled === undefined || run === undefined) {
        compiled = this.flags.get(key);
        if (compiled === undefined) return failure('FLAG_NOT_FOUND', `no flag '${key}'`);
        run = compiled.envs.get(env);
        if (run !== undefined) {
          this.lastKey = key;
          this.lastEnv = env;
          this.lastFlag = compiled;
          this.lastRun = run;
        }
      }
      if (run === undefined)
        return failure(
          'ENVIRONMENT_NOT_FOUND',
          `no environment '${env}'; environments: ${this.model.environments.join(', ')}`,
        );
      if (typeof context !== 'object' || context === null || Array.isArray(context))
        return failure('INVALID_CONTEXT', 'context must be an object');
      if (expected !== undefined && expected !== compiled.flag.valueType) {
        return failure('TYPE_MISMATCH', `flag '${key}' is ${compiled.flag.valueType}, not ${expected}`);
      }
      return run(context, 0);
    } catch (e) {
      return failure('GENERAL', `evaluation failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Evaluates and says why, rule by rule: which conditions failed (missing attributes, type mismatches), buckets. */
  explain(key: string, env: string, context: Context): Explanation {
    const result = this.evaluate(key, env, context);
    const flag = this.flags.get(key)?.flag;
    if (flag === undefined || flag.environments[env] === undefined || result.errorCode !== undefined)
      return { result, rules: [] };
    return explainFlag(flag, env, context, result, this.segments, this.clock);
  }

  /** The loaded flag, or undefined. */
  flag(key: string): Flag | undefined {
    return this.flags.get(key)?.flag;
  }

  keys(): string[] {
    return [...this.flags.keys()];
  }
}
