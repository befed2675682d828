import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// docs/cli.md is generated from the built program (`npx tsc -b packages/engine packages/server` first): a command
// or option added without regenerating it fails here.
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

describe('docs/cli.md', () => {
  it('is what scripts/gen-cli-docs.mjs renders from the pitboss program', () => {
    const run = spawnSync(process.execPath, ['scripts/gen-cli-docs.mjs', '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, PITBOSS_URL: 'http://elsewhere:1', PITBOSS_TOKEN: 'pb_api_secret' },
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
