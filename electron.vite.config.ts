import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';
import { cspSafeReactPreamble } from './vite.renderer.config.js';

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: resolve(import.meta.dirname, 'src/main/index.ts'),
          // The embedded demo hub runs as its own process, forked by the shell when no hub is configured.
          hub: resolve(import.meta.dirname, 'src/hub/cli.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload must be a single self-contained file.
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(import.meta.dirname, 'src/preload/index.ts') },
        output: { format: 'cjs' },
      },
    },
  },
  renderer: {
    root: resolve(import.meta.dirname, 'src/renderer'),
    plugins: [react(), cspSafeReactPreamble()],
    build: {
      rollupOptions: { input: { index: resolve(import.meta.dirname, 'src/renderer/index.html') } },
    },
  },
});
