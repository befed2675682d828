import { readFileSync } from 'node:fs';

/**
 * The version of @pitboss/server, read from its package.json. The path is the same from `src/cli` and
 * `dist/cli`, so this works in tests and in the built bin alike.
 */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version?: string;
  };
  return pkg.version ?? '0.0.0';
}
