import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const script = fileURLToPath(new URL('../../scripts/check-size.mjs', import.meta.url));

// The budget is enforced by the script's exit code; running it here makes `npm test` enforce it too.
it('keeps the browser bundle within its 5 KB min+gzip budget and free of the engine', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [script]);
  const [, gzipped, budget] = /(\d+) B min\+gzip .* budget (\d+) B/.exec(stdout) ?? [];
  expect(Number(gzipped)).toBeGreaterThan(0);
  expect(Number(gzipped)).toBeLessThanOrEqual(Number(budget));
  expect(Number(budget)).toBe(5 * 1024);
});
