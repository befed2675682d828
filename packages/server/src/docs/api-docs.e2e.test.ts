import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startTestApp } from '../testing/test-app.js';

// docs/api.md is generated from the OpenAPI document of the built app (`npx tsc -b packages/engine
// packages/server` first): a route added or changed without regenerating it fails here.
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

describe('docs/api.md', () => {
  it('is what scripts/gen-api-docs.mjs renders from /openapi.json', () => {
    const run = spawnSync(process.execPath, ['scripts/gen-api-docs.mjs', '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('documents every route the app registers, with its auth requirement', async () => {
    const t = await startTestApp('sqlite');
    try {
      const doc = readFileSync(`${ROOT}/docs/api.md`, 'utf8');
      for (const r of t.routes) {
        const path = r.url.replace(/:(\w+)/g, '{$1}');
        if (path === '*' || r.hidden) continue;
        const role = r.auth === 'public' ? 'public' : r.auth.role;
        expect(doc, `${r.method} ${path}`).toMatch(
          new RegExp(
            `\\| ${r.method} \\| \\[\`${path.replace(/[{}.]/g, '\\$&')}\`\\]\\([^)]+\\) \\| ${role}[ ,]`,
          ),
        );
      }
    } finally {
      await t.close();
    }
  });
});
