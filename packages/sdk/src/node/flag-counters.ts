import type { FlagMetric } from '../shared/types.js';

/** Past this many flags, new keys are not counted: unknown keys (typos, hostile input) must not grow memory. */
const MAX_FLAGS = 10_000;

/**
 * Evaluations per flag and variant. Nested maps keyed by the strings the caller already has, so counting
 * allocates nothing after a flag/variant's first evaluation (no concatenated key).
 *
 * @example
 * const counters = new FlagCounters();
 * counters.count('payments_v2', 'on');
 * counters.snapshot(); // [{ flag: 'payments_v2', variant: 'on', count: 1 }]
 */
export class FlagCounters {
  private readonly flags = new Map<string, Map<string, { n: number }>>();
  // The last flag counted: a hot loop on one flag skips the outer lookup (as the engine's CompiledConfig does).
  private lastFlag = '';
  private lastVariants: Map<string, { n: number }> | undefined;

  /** `variant` undefined (an error) counts as `''`. */
  count(flag: string, variant: string | undefined): void {
    let variants = flag === this.lastFlag ? this.lastVariants : this.flags.get(flag);
    if (variants === undefined) {
      if (this.flags.size >= MAX_FLAGS) return;
      variants = new Map();
      this.flags.set(flag, variants);
    }
    this.lastFlag = flag;
    this.lastVariants = variants;
    const key = variant ?? '';
    // A mutable cell per variant: one lookup per count instead of a get and a set.
    const cell = variants.get(key);
    if (cell === undefined) variants.set(key, { n: 1 });
    else cell.n++;
  }

  snapshot(): FlagMetric[] {
    const out: FlagMetric[] = [];
    for (const [flag, variants] of this.flags)
      for (const [variant, cell] of variants) out.push({ flag, variant, count: cell.n });
    return out;
  }
}
