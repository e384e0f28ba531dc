/// <reference types="vitest/config" />
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

// Tauri serves ui/dist from the app bundle; relative paths keep it independent of the origin.
export default defineConfig({
  base: './',
  clearScreen: false,
  plugins: [
    vue(),
    // Element Plus components and their CSS are imported on demand, per chunk.
    Components({
      resolvers: [ElementPlusResolver({ importStyle: 'css' })],
      dts: 'src/components.d.ts',
    }),
  ],
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
