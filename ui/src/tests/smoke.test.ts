// @vitest-environment happy-dom
// The shell's start-up path against a fake core: first run, login, role home, lock screen data.
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'

const calls: { cmd: string; args?: Record<string, unknown> }[] = []
let initialised = false
vi.mock('@tauri-apps/api/core', () => ({
  invoke: vi.fn(async (cmd: string, args?: Record<string, unknown>) => {
    calls.push({ cmd, args })
    switch (cmd) {
      case 'app_info':
        return { version: '0.1.0', db_path: '/tmp/reopen.db', initialised, clock_override: '2020-02-05T09:00:00+08:00', language: 'zh', mode: 'local', server: null, fingerprint: null }
      case 'whoami':
        return null
      case 'login':
        if (args?.password !== 'right') throw { code: 'validation', message: '用户名或密码错误', fields: [{ field: 'password', message: '密码错误' }] }
        return { user_id: 2, name: 'yc_swj', role: 'reviewer', department_id: 3, firm_id: null, division: '511802', must_change_password: false }
      case 'review_queue':
        return []
      case 'guide':
        if (!initialised) throw { code: 'not_found', message: '数据库尚未初始化' }
        return { system: { name: '雅安市企业复工复产审批', motto: '一企一策' } }
      case 'reference':
        return { divisions: [], industries: [], categories: [['general', '其他企业']], mandatory_measures: [], optional_measures: [] }
      default:
        return null
    }
  }),
}))

async function boot() {
  const { default: App } = await import('../App.vue')
  const { router } = await import('../router')
  const { i18n } = await import('../i18n')
  const { createApp } = await import('vue')
  document.body.innerHTML = '<div id="app"></div>'
  const app = createApp(App).use(i18n).use(router)
  app.mount('#app')
  await router.isReady()
  await flushPromises()
  return { router }
}

describe('start-up', () => {
  beforeEach(() => {
    calls.length = 0
    vi.resetModules()
  })
  it('sends a fresh installation to first run', async () => {
    initialised = false
    const { router } = await boot()
    expect(router.currentRoute.value.name).toBe('first-run')
    expect(document.body.textContent).toContain('创建系统管理员')
  }, 60000)
  it('shows the login with the training banner, field errors, then the role home', async () => {
    initialised = true
    const { router } = await boot()
    expect(router.currentRoute.value.name).toBe('login')
    expect(document.body.textContent).toContain('培训模式')
    // The system's name and motto come from the policy (the guide), and name the window too.
    expect(document.querySelector('[data-test="system-name"]')?.textContent).toBe('雅安市企业复工复产审批')
    expect(document.querySelector('[data-test="system-motto"]')?.textContent).toContain('一企一策')
    expect(document.title).toBe('雅安市企业复工复产审批')
    const inputs = document.querySelectorAll('input')
    ;(inputs[0] as HTMLInputElement).value = 'yc_swj'
    inputs[0].dispatchEvent(new Event('input'))
    ;(inputs[1] as HTMLInputElement).value = 'wrong'
    inputs[1].dispatchEvent(new Event('input'))
    document.querySelector('form')!.dispatchEvent(new Event('submit'))
    await flushPromises()
    expect(document.body.textContent).toContain('密码错误')
    ;(inputs[1] as HTMLInputElement).value = 'right'
    inputs[1].dispatchEvent(new Event('input'))
    document.querySelector('form')!.dispatchEvent(new Event('submit'))
    // The layout and the queue are lazy chunks: wait for them.
    await vi.waitFor(() => expect(router.currentRoute.value.path).toBe('/review'), { timeout: 20000, interval: 50 })
    expect(calls.filter((c) => c.cmd === 'login').pop()?.args).toEqual({ name: 'yc_swj', password: 'right' })
    await vi.waitFor(() => expect(calls.some((c) => c.cmd === 'review_queue')).toBe(true), { timeout: 20000, interval: 50 })
    await vi.waitFor(() => expect(document.body.textContent).toContain('审核队列'), { timeout: 20000, interval: 50 })
  }, 60000)
})

