/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// The login, the screen the app starts with and idles on, does without Element Plus and ECharts:
// loading them costs the idle window about 30 MiB (issue 4, docs/benchmarks.md). The build fails
// if a module of either reaches the chunks the start page loads (the entry and its static imports).
function lightStart(): Plugin {
  return {
    name: 'reopen-light-start',
    apply: 'build',
    generateBundle(_options, bundle) {
      const entry = Object.values(bundle).find((c) => c.type === 'chunk' && c.isEntry)
      if (!entry || entry.type !== 'chunk') return this.error('no entry chunk')
      const initial = new Set<string>()
      const todo = [entry.fileName]
      while (todo.length) {
        const name = todo.pop()!
        const chunk = bundle[name]
        if (initial.has(name) || !chunk || chunk.type !== 'chunk') continue
        initial.add(name)
        todo.push(...chunk.imports)
      }
      const heavy = [...initial].flatMap((name) => {
        const chunk = bundle[name]
        return chunk.type === 'chunk' ? chunk.moduleIds.filter((id) => /[\\/]node_modules[\\/](element-plus|echarts|zrender)[\\/]/.test(id)) : []
      })
      if (heavy.length) this.error(`the start page would load ${heavy.length} heavy module(s), e.g. ${heavy.slice(0, 3).join(', ')}`)
    },
  }
}

// Tauri serves ui/dist from the app bundle; relative paths keep it independent of the origin.
export default defineConfig({
  base: './',
  clearScreen: false,
  plugins: [
    vue(),
    lightStart(),
    // Element Plus components and their CSS are imported on demand, per chunk.
    Components({
      resolvers: [ElementPlusResolver({ importStyle: 'css' })],
      dts: 'src/components.d.ts',
    }),
  ],
  // vue-i18n's and Vue's build flags: the UI uses only useI18n() (no legacy API, no <i18n-t> or
  // v-t) and no devtools in production, so that code is dropped from the start page.
  define: {
    __VUE_I18N_FULL_INSTALL__: false,
    __VUE_I18N_LEGACY_API__: false,
    __INTLIFY_PROD_DEVTOOLS__: false,
    __VUE_PROD_DEVTOOLS__: false,
  },
  server: { port: 1420, strictPort: true },
  build: {
    target: 'es2021',
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 700,
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
    // Element Plus's ES build imports its CSS; let Vite handle it instead of Node.
    server: { deps: { inline: ['element-plus'] } },
  },
})
