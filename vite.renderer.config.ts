import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

/** Browser mode: the same renderer as in Electron, served by plain Vite (see src/main/web-host.ts). */
export default defineConfig({
  root: resolve(import.meta.dirname, 'src/renderer'),
  plugins: [react()],
  build: { outDir: resolve(import.meta.dirname, 'out/web'), emptyOutDir: true },
  server: { host: '127.0.0.1', strictPort: false },
  clearScreen: false,
});
