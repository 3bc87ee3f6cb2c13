import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';

/**
 * plugin-react injects React Fast Refresh's preamble as an inline <script>, which the page's CSP
 * (script-src 'self') blocks. src/renderer/main.tsx imports the same preamble as a module
 * (`@vitejs/plugin-react/preamble`), so the inline copy is dropped here. Used by
 * electron.vite.config.ts too.
 */
export function cspSafeReactPreamble(): Plugin {
  return {
    name: 'concierge:csp-safe-react-preamble',
    transformIndexHtml: {
      order: 'post',
      handler: (html) =>
        html.replace(
          /<script type="module">\s*import \{ injectIntoGlobalHook \}[\s\S]*?<\/script>\s*/g,
          '',
        ),
    },
  };
}

/** Browser mode: the same renderer as in Electron, served by plain Vite (see src/main/web-host.ts). */
export default defineConfig({
  root: resolve(import.meta.dirname, 'src/renderer'),
  plugins: [react(), cspSafeReactPreamble()],
  build: { outDir: resolve(import.meta.dirname, 'out/web'), emptyOutDir: true },
  server: { host: '127.0.0.1', strictPort: false },
  clearScreen: false,
});
