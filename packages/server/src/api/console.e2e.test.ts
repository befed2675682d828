import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../testing/test-app.js';

const CSP =
  "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

function expectSecurityHeaders(headers: Record<string, unknown>): void {
  expect(headers['content-security-policy']).toBe(CSP);
  expect(headers['x-content-type-options']).toBe('nosniff');
  expect(headers['referrer-policy']).toBe('no-referrer');
}

describe('the console at /', () => {
  let dir: string;
  let t: TestApp;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pitboss-console-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(
      join(dir, 'index.html'),
      '<!doctype html><script type="module" src="/assets/app-abc123.js"></script>',
    );
    writeFileSync(join(dir, 'assets', 'app-abc123.js'), 'console.log("pitboss");\n');
    writeFileSync(join(dir, 'assets', 'app-abc123.css'), 'body{margin:0}\n');
    // What the console's build writes beside each file (packages/ui/vite.config.ts).
    writeFileSync(join(dir, 'assets', 'app-abc123.js.br'), brotliCompressSync('console.log("pitboss");\n'));
    t = await startTestApp('sqlite', { console: { root: dir } });
  });
  afterAll(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves index.html revalidated on each load, with the security headers', async () => {
    const res = await t.call('GET', '/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.text).toContain('/assets/app-abc123.js');
    expectSecurityHeaders(res.headers);
  });

  it('serves hashed assets cached for a year, with their content types', async () => {
    const js = await t.call('GET', '/assets/app-abc123.js');
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(js.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(js.text).toBe('console.log("pitboss");\n');
    expectSecurityHeaders(js.headers);
    const css = await t.call('GET', '/assets/app-abc123.css');
    expect(css.headers['content-type']).toMatch(/^text\/css/);
  });

  it("serves the build's precompressed bytes to a browser that accepts them", async () => {
    const res = await t.app.inject({
      url: '/assets/app-abc123.js',
      headers: { 'accept-encoding': 'br, gzip' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers.vary).toMatch(/accept-encoding/i);
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(brotliDecompressSync(res.rawPayload).toString('utf8')).toBe('console.log("pitboss");\n');
    // No .gz beside the CSS: a gzip-only browser gets the plain file, never an error.
    const css = await t.app.inject({ url: '/assets/app-abc123.css', headers: { 'accept-encoding': 'gzip' } });
    expect(css.headers['content-encoding']).toBeUndefined();
    expect(css.body).toBe('body{margin:0}\n');
  });

  it('answers unknown assets 404 as JSON, like any unknown path', async () => {
    for (const path of [
      '/assets/app-zzz.js',
      '/assets/',
      '/assets/../index.html',
      '/assets/%2e%2e/index.html',
    ]) {
      const res = await t.call('GET', path);
      expect(res.status, path).toBe(404);
      expect(res.body, path).toMatchObject({ code: 'NOT_FOUND' });
    }
  });
});

describe('the console, not built', () => {
  it('answers / with 503 and how to build it; the API keeps working', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pitboss-console-empty-'));
    const t = await startTestApp('sqlite', { console: { root: dir } });
    try {
      const res = await t.call('GET', '/');
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.text).toContain('npm run build');
      expectSecurityHeaders(res.headers);
      expect((await t.call('GET', '/assets/app.js')).status).toBe(404);
      expect((await t.call('GET', '/api/v1/me', { token: t.tokens.viewer })).status).toBe(200);
    } finally {
      await t.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is not served at all with console: false', async () => {
    const t = await startTestApp('sqlite', { console: false });
    try {
      expect((await t.call('GET', '/')).status).toBe(404);
      expect(t.routes.some((r) => r.url === '/')).toBe(false);
    } finally {
      await t.close();
    }
  });
});
