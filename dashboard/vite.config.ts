/**
 * Builds the dashboard into dashboard/dist, which longrun serves at /dashboard
 * (src/http/plugins/dashboard.ts). Run from the repository root:
 *   npx vite build --config dashboard/vite.config.ts
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // The dashboard uses the typed client from its sources, bundled in (tsconfig.json says the same for tsc).
  resolve: { alias: [{ find: /^longrun\/client$/, replacement: fileURLToPath(new URL('../src/client/index.ts', import.meta.url)) }] },
  // The page and its assets are served under /dashboard/, never from a CDN.
  base: '/dashboard/',
  // Nothing to copy verbatim: every file the page needs is imported by it.
  publicDir: false,
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Small icons and the like stay files, so the Content-Security-Policy needs no exceptions.
    assetsInlineLimit: 0,
    // One entry and no dynamic imports: the preload polyfill would be dead code.
    modulePreload: { polyfill: false },
  },
});
