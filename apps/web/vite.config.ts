import { defineConfig } from 'vite';

/**
 * The web app: one static page and its module worker. `@combat/*` resolve to their TypeScript
 * sources (the `source` export condition), so the app needs no package built first. Every asset
 * is bundled and addressed relative to the page (`base: './'`), so `dist/` opens from any static
 * host or folder and the page requests nothing from elsewhere. `pnpm web` (the root script)
 * builds, then previews on 127.0.0.1 at port 4173, or the next free port.
 */
export default defineConfig({
  base: './',
  resolve: { conditions: ['source', 'module', 'browser', 'development|production'] },
  worker: { format: 'es' },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 4096, rolldownOptions: { checks: { pluginTimings: false } } },
  preview: { host: '127.0.0.1', port: 4173, strictPort: false },
});
