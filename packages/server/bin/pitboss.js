#!/usr/bin/env node
// The installed `pitboss` command. A committed shim, so npm links the bin on a fresh `npm install`, before the
// TypeScript is built; the CLI itself is dist/cli/main.js (`npm run build`).
import('../dist/cli/main.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND') {
    console.error('pitboss: not built yet; run `npm run build` (or `npm start`) first');
    process.exit(2);
  }
  throw error;
});
