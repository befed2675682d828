#!/usr/bin/env node
// The browser SDK's size budget, measured the way a page would ship it: bundled with its imports, minified,
// gzipped. Also refuses any input outside src/browser and src/shared, so an import of @pitboss/engine (rules in
// the browser) or of a Node module fails the build instead of silently growing the bundle.
// Usage: node packages/sdk/scripts/check-size.mjs   (exit 1 over budget)
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

/** 5 KB min+gzip: well under the 10–20 KB of the common flag SDKs, so no one has to lazy-load us. */
export const BUDGET_BYTES = 5 * 1024;

const sdkRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ALLOWED = ['src/browser/', 'src/shared/'];

/** Bundles `src/browser/index.ts` and answers its minified and gzipped sizes and the files that went in. */
export async function measure() {
  const result = await build({
    entryPoints: [resolve(sdkRoot, 'src/browser/index.ts')],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  const inputs = Object.keys(result.metafile.inputs).map((p) => relative(sdkRoot, resolve(process.cwd(), p)));
  return { minified: code.length, gzipped: gzipSync(code, { level: 9 }).length, inputs };
}

async function main() {
  const { minified, gzipped, inputs } = await measure();
  const foreign = inputs.filter((p) => !ALLOWED.some((dir) => p.startsWith(dir)));
  console.log(`browser SDK: ${gzipped} B min+gzip (${minified} B minified), budget ${BUDGET_BYTES} B`);
  if (foreign.length > 0) {
    console.error(`browser SDK bundles files outside ${ALLOWED.join(', ')}: ${foreign.join(', ')}`);
    process.exit(1);
  }
  if (gzipped > BUDGET_BYTES) {
    console.error(`browser SDK is ${gzipped - BUDGET_BYTES} B over its budget`);
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
