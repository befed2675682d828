/**
 * An integer command-line option (`--clients 1_000`): undefined when absent, an error naming the option when it
 * is not an integer of at least `min`.
 */
export function int(name, text, min) {
  if (text === undefined) return undefined;
  const n = Number(text.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < min)
    throw new Error(`--${name} must be an integer ≥ ${min}, got '${text}'`);
  return n;
}
