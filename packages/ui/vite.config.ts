import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/**
 * Writes dist/bundle-report.json and prints it: every file the console loads, raw, gzip and brotli bytes. The budget
 * test (e2e/bundle.test.ts) and docs/console.md read it, so the size is measured by every build, not guessed.
 */
function bundleReport(): Plugin {
  let outDir = 'dist';
  return {
    name: 'pitboss-bundle-report',
    apply: 'build',
    configResolved(config) {
      outDir = config.build.outDir;
    },
    closeBundle() {
      const files = walk(outDir)
        .filter((f) => !/\.(gz|br)$/.test(f) && !f.endsWith('bundle-report.json'))
        .map((path) => {
          const bytes = readFileSync(path);
          const gzip = gzipSync(bytes, { level: 9 });
          const brotli = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } });
          // Served as they are by `pitboss server` (@fastify/static preCompressed) to browsers that accept them.
          writeFileSync(`${path}.gz`, gzip);
          writeFileSync(`${path}.br`, brotli);
          return {
            file: path.slice(outDir.length + 1),
            bytes: bytes.length,
            gzip: gzip.length,
            brotli: brotli.length,
          };
        })
        .sort((a, b) => b.bytes - a.bytes);
      const total = files.reduce(
        (t, f) => ({ bytes: t.bytes + f.bytes, gzip: t.gzip + f.gzip, brotli: t.brotli + f.brotli }),
        { bytes: 0, gzip: 0, brotli: 0 },
      );
      writeFileSync(join(outDir, 'bundle-report.json'), `${JSON.stringify({ total, files }, null, 2)}\n`);
      const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
      console.log(
        `console bundle: ${kb(total.bytes)} (${kb(total.gzip)} gzip, ${kb(total.brotli)} brotli) in ${files.length} files`,
      );
    },
  };
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

export default defineConfig({
  // Served by `pitboss server` at `/`; every asset is bundled (no fonts or scripts from other origins).
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  plugins: [bundleReport()],
});
