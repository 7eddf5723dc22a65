import { fileURLToPath } from 'node:url'
import { defineConfig, type Plugin } from 'vite'
import react from '@vitejs/plugin-react'
import { gzipSync } from 'node:zlib'

/** The budget for the JavaScript a first visit loads, gzipped. */
const INITIAL_JS_BUDGET_BYTES = 250 * 1024

/** Prints the initial JavaScript's gzipped size after the build, and fails the build above the budget. */
function initialJsBudget(): Plugin {
  return {
    name: 'carewindow-initial-js-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      let gzipped = 0
      for (const chunk of Object.values(bundle))
        if (chunk.type === 'chunk' && chunk.isEntry) gzipped += gzipSync(chunk.code).length
      const kb = (gzipped / 1024).toFixed(1)
      console.log(
        `dashboard: initial JavaScript ${kb} KB gzipped (budget ${INITIAL_JS_BUDGET_BYTES / 1024} KB)`,
      )
      if (gzipped > INITIAL_JS_BUDGET_BYTES)
        this.error(`the initial JavaScript is ${kb} KB gzipped, over budget`)
    },
  }
}

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react(), initialJsBudget()],
  resolve: {
    // The dashboard checks sends with carewindow's own policy core, built from its source like the gateway.
    alias: { '@carewindow/policy': fileURLToPath(new URL('../src/domain/index.ts', import.meta.url)) },
  },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // Everything is served by carewindow itself: nothing inlined as data: URLs that the page's CSP would refuse.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
  },
  server: {
    // `npx vite web` during development, against a carewindow on port 8080.
    proxy: {
      '/v1': 'http://127.0.0.1:8080',
      '/metrics': 'http://127.0.0.1:8080',
      '/v21.0': 'http://127.0.0.1:8080',
    },
  },
})
