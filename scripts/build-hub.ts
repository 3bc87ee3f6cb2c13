/**
 * Builds the hub server into one ES module, `dist/hub/cli.mjs` (`npm run build:hub`; `npm run hub`
 * builds and starts it). Dependencies stay in node_modules (PGlite loads its WASM files from its
 * own package). Run as built, the hub has no TypeScript loader in the process: on the routing
 * bench a smaller heap and 15–20 % fewer young-generation collections, whose pauses (with the full
 * ones) are where the clusters of its slowest offers came from (docs/performance.md, session 7).
 */
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

export const HUB_BUNDLE = 'dist/hub/cli.mjs';

export async function buildHub(outfile = HUB_BUNDLE): Promise<string> {
  await build({
    entryPoints: ['src/hub/cli.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    // For reading a stack trace against the source; not loaded at run time.
    sourcemap: true,
    logLevel: 'warning',
  });
  return outfile;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`built ${await buildHub()}`);
}
