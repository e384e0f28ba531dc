import { createApp } from 'vue'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'
import { onUnauthenticated } from './api/core'
import { store } from './lib/session'
// Styles of the components used from script (the resolver handles those used in templates).
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import 'element-plus/es/components/notification/style/css'
import './styles.css'

onUnauthenticated(() => {
  if (store.session) {
    store.session = null
    router.replace({ name: 'login' })
  }
})

createApp(App).use(i18n).use(router).mount('#app')
