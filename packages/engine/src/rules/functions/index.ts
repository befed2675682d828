import type { RuleFunction } from '../types.js';
import { contains } from './contains.js';
import { endsWith } from './ends-with.js';
import { matches } from './matches.js';
import { now } from './now.js';
import { segment } from './segment.js';
import { semver } from './semver.js';
import { startsWith } from './starts-with.js';

/** Every function of the rule language, by name. Adding one: write its file, then list it here. */
export const RULE_FUNCTIONS: ReadonlyMap<string, RuleFunction> = new Map(
  [startsWith, endsWith, contains, matches, semver, now, segment].map((f) => [f.name, f]),
);
