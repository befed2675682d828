import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

/**
 * The console's size, as the build measured it (vite.config.ts writes dist/bundle-report.json). A budget in
 * bytes, not in seconds: bytes are the same on every machine, and they decide the first load on a slow link.
 * docs/console.md states the figures.
 */
const report = JSON.parse(readFileSync(new URL('../dist/bundle-report.json', import.meta.url), 'utf8')) as {
  total: { bytes: number; gzip: number };
  files: { file: string; bytes: number; gzip: number }[];
};

describe('console bundle', () => {
  it('stays within its budget: 80 KiB of gzip for everything the first load fetches', () => {
    expect(report.total.gzip).toBeGreaterThan(1000);
    expect(report.total.gzip).toBeLessThan(80 * 1024);
  });

  it('is one index.html plus hashed assets, nothing else to fetch', () => {
    const files = report.files.map((f) => f.file).sort();
    expect(files).toContain('index.html');
    for (const f of files) if (f !== 'index.html') expect(f).toMatch(/^assets\/[\w-]+-[\w-]{8}\.(js|css)$/);
  });
});
