// Package versions for the result tables, read from the installed package.json files directly (some SDKs'
// `exports` maps do not expose ./package.json, so require.resolve cannot be used).
import { readFileSync } from 'node:fs';

const root = new URL('../../', import.meta.url);

export function packageVersion(pkg) {
  if (!pkg) return '-';
  try {
    return JSON.parse(readFileSync(new URL(`node_modules/${pkg}/package.json`, root), 'utf8')).version ?? '?';
  } catch {
    return '?';
  }
}
