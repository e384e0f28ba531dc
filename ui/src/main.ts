import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'
import { onUnauthenticated } from './api/core'
import { uiReady } from './api/session'
import { store } from './lib/session'
import './styles.css'

onUnauthenticated(() => {
  if (store.session) {
    store.session = null
    router.replace({ name: 'login' })
  }
})

const app = createApp(App).use(i18n).use(router)
// A script error in a screen must not fail silently (a half-drawn screen with no message): show it,
// and keep it for the console and the end-to-end tests.
app.config.errorHandler = (err, _instance, info) => {
  console.error(err, info)
  const message = err instanceof Error ? err.message : String(err)
  const text = i18n.global.t('common.unexpected', { error: message })
  void import('./lib/unexpected').then((m) => m.showUnexpected(text)).catch(() => window.alert(text))
}
app.mount('#app')

// Two animation frames after the first route has rendered, the first screen is on screen and
// takes input: tell the shell (it only acts under --bench-startup).
void router.isReady().then(() =>
  requestAnimationFrame(() => requestAnimationFrame(() => void uiReady().catch(() => undefined))),
)
