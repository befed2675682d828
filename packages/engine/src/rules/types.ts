import type { ExpressionDiagnostic } from '../diagnostics.js';
import type { Expr } from './ast.js';

/** The evaluation context: attributes of the player and the request (`{ user: { id }, market, brand }`). */
export type Context = Readonly<Record<string, unknown>>;
/** A compiled value: reads attributes, never throws on odd input (missing, null, wrong type). */
export type Getter = (ctx: Context) => unknown;
/** A compiled condition. */
export type Predicate = (ctx: Context) => boolean;

/** What the checker knows of a value before any context exists. Attributes are `any` until evaluation. */
export type StaticType = 'string' | 'number' | 'boolean' | 'list' | 'semver' | 'time' | 'any';

/** Collects why a condition came out false, for `explain`; absent on the hot path. */
export interface Tracer {
  note(message: string): void;
}

/** What compiled expressions may reach outside themselves. */
export interface CompileEnv {
  /** Milliseconds since the epoch; `now()` reads it. */
  readonly clock: () => number;
  /** The compiled predicate of a named segment, or undefined when no such segment exists. */
  segment(name: string): Predicate | undefined;
  readonly tracer?: Tracer;
}

/** What the checker may ask of the world. */
export interface CheckEnv {
  /** Whether a segment exists and compiles; `cycle` when it is being compiled right now (it refers to itself). */
  segmentStatus(name: string): 'ok' | 'missing' | 'invalid' | 'cycle';
}

export interface ParamSpec {
  readonly name: string;
  /** `literal`: must be written in the rule itself (a pattern, a version), so it can be checked at compile time. */
  readonly literal?: 'string';
  readonly optional?: boolean;
}

/**
 * A function of the rule language. One file per function under `functions/`, registered by name in
 * `functions/index.ts` (flagd `evaluator/string_comparison.go`).
 */
export interface RuleFunction {
  readonly name: string;
  readonly params: readonly ParamSpec[];
  readonly returns: StaticType;
  /** Validates literal arguments; the returned constant (a compiled regex, a parsed version) goes to `compile`. */
  check?(args: readonly Expr[], env: CheckEnv, report: (d: ExpressionDiagnostic) => void): unknown;
  compile(args: readonly Getter[], constant: unknown, env: CompileEnv): Getter;
}
