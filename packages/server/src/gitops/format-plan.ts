import type { Change } from './diff-values.js';
import type { Plan } from './plan.js';

const MAX_VALUE = 100;

/** Whether applying would change anything. */
export function hasChanges(plan: Plan): boolean {
  return plan.create.length + plan.update.length + plan.archive.length > 0;
}

/**
 * The plan as `kubectl diff`/`terraform plan` readers expect: `+` create, `~` update with each changed field,
 * `-` archive, then a one-line summary. Unchanged resources are counted, not listed.
 *
 * @example
 * ~ flag:payments_v2
 *     environments.prod.killSwitch: false → true
 * Plan: 0 to create, 1 to update, 0 to archive, 6 unchanged.
 */
export function formatPlan(plan: Plan): string {
  const lines: string[] = [];
  for (const r of plan.create) lines.push(`+ ${r}`);
  for (const u of plan.update) {
    lines.push(`~ ${u.resource}`);
    for (const c of u.changes) lines.push(`    ${formatChange(c)}`);
  }
  for (const r of plan.archive) lines.push(`- ${r} (archive)`);
  lines.push(
    `Plan: ${plan.create.length} to create, ${plan.update.length} to update, ${plan.archive.length} to archive, ${plan.unchanged.length} unchanged.`,
  );
  return lines.join('\n');
}

function formatChange(c: Change): string {
  return `${c.path}: ${'before' in c ? show(c.before) : '(none)'} → ${'after' in c ? show(c.after) : '(none)'}`;
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}
