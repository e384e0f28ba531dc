// @vitest-environment happy-dom
// Network mode against a fake shell: the lost-connection banner's state (set when a command cannot
// reach the server, cleared by the next command that succeeds) and the connection form's three
// outcomes (new: check the fingerprint, then connect; known: connect at once; changed: refused).
import { beforeEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'

type Handler = (args?: Record<string, unknown>) => unknown
const handlers: Record<string, Handler> = {}
const calls: { cmd: string; args?: Record<string, unknown> }[] = []
vi.mock('@tauri-apps/api/core', () => ({
  invoke: vi.fn(async (cmd: string, args?: Record<string, unknown>) => {
    calls.push({ cmd, args })
    const h = handlers[cmd]
    if (!h) return null
    return h(args)
  }),
}))

import { call } from '../api/core'
import { store } from '../lib/session'
import { i18n } from '../i18n'
import ServerChoice from '../components/ServerChoice.vue'
import ConnectionBanner from '../components/ConnectionBanner.vue'
import type { AppInfo } from '../api/types'

const FP = Array.from({ length: 32 }, (_, i) => (i * 7 + 16).toString(16).toUpperCase().padStart(2, '0')).join(':')
const OLD = FP.replace(/^10/, 'EE')
const URL = 'https://127.0.0.1:8443'
const local: AppInfo = { version: '0.1.0', db_path: '/tmp/r.db', initialised: true, clock_override: null, language: 'zh', mode: 'local', server: null, fingerprint: null }
const onServer: AppInfo = { ...local, db_path: '', mode: 'server', server: URL, fingerprint: FP }
const lost = () => {
  throw { code: 'unavailable', message: `无法连接服务器 ${URL}：连接被拒绝` }
}

beforeEach(() => {
  for (const k of Object.keys(handlers)) delete handlers[k]
  calls.length = 0
  store.info = { ...local }
  store.session = null
  store.lost = ''
})

describe('the lost-connection banner', () => {
  it('is set when a command cannot reach the server, and cleared by the next one that succeeds', async () => {
    store.info = { ...onServer }
    handlers.app_update = lost
    await expect(call('app_update', { id: 8 })).rejects.toMatchObject({ code: 'unavailable' })
    expect(store.lost).toContain('无法连接服务器')

    const banner = mount(ConnectionBanner, { global: { plugins: [i18n] } })
    expect(banner.text()).toContain('与服务器的连接已断开')
    expect(banner.text()).toContain('已填写的内容仍保留在表单中')

    // A refusal or a command answered on this PC says nothing about the connection.
    handlers.app_submit = () => {
      throw { code: 'validation', message: '有误', fields: [] }
    }
    await expect(call('app_submit')).rejects.toMatchObject({ code: 'validation' })
    handlers.app_info = () => onServer
    await call('app_info')
    expect(store.lost).not.toBe('')

    handlers.app_update = () => ({ id: 8 })
    await call('app_update', { id: 8 })
    expect(store.lost).toBe('')
    await flushPromises()
    expect(banner.find('[data-test="connection-lost"]').exists()).toBe(false)
  })

  it('never shows in local mode (there `unavailable` is about the database file)', async () => {
    handlers.review_queue = () => {
      throw { code: 'unavailable', message: '数据库文件无法打开' }
    }
    await expect(call('review_queue')).rejects.toMatchObject({ code: 'unavailable' })
    expect(store.lost).toBe('')
  })

  it('is not raised by a server the user is only trying (its error shows on the form)', async () => {
    store.info = { ...onServer }
    handlers.server_probe = lost
    await expect(call('server_probe', { url: URL })).rejects.toMatchObject({ code: 'unavailable' })
    expect(store.lost).toBe('')
  })
})

async function chooseServer(remembered: string | null) {
  handlers.server_probe = (a) => ({ url: String(a?.url).trim(), fingerprint: FP, remembered })
  handlers.connect_server = (a) => ({ ...onServer, server: String(a?.url), fingerprint: String(a?.fingerprint) })
  const w = mount(ServerChoice, { global: { plugins: [i18n] } })
  expect(w.find('[data-test="conn-where"]').text()).toContain('本机数据库')
  expect(w.find('form').exists()).toBe(false)
  await w.find('[data-test="conn-server"]').trigger('click')
  expect(w.emitted('update:pending')?.at(-1)).toEqual([true])
  await w.find('#conn-address').setValue(`  ${URL} `)
  await w.find('form').trigger('submit')
  await flushPromises()
  return w
}

describe('connecting to a server', () => {
  it('the first time, shows the fingerprint in 4 groups to check, and connects only when confirmed', async () => {
    const w = await chooseServer(null)
    expect(calls.find((c) => c.cmd === 'server_probe')?.args).toEqual({ url: URL })
    expect(calls.some((c) => c.cmd === 'connect_server')).toBe(false)
    const verify = w.find('[data-test="conn-verify"]')
    expect(verify.text()).toContain('核对指纹')
    const groups = verify.findAll('[data-test="conn-fingerprint"] .fp-group').map((g) => g.text())
    expect(groups).toHaveLength(4)
    expect(groups.join(':')).toBe(FP)
    await w.find('[data-test="conn-confirm"]').trigger('click')
    await flushPromises()
    expect(calls.filter((c) => c.cmd === 'connect_server').map((c) => c.args)).toEqual([{ url: URL, fingerprint: FP }])
    expect(store.info?.mode).toBe('server')
    expect(w.emitted('connected')?.[0]?.[0]).toMatchObject({ mode: 'server', server: URL })
    expect(w.emitted('update:pending')?.at(-1)).toEqual([false])
    expect(w.find('[data-test="conn-where"]').text()).toContain(URL)
    expect(w.find('[data-test="conn-where"]').text()).toContain(FP.slice(0, 23))
  })

  it('cancelling the check connects nowhere', async () => {
    const w = await chooseServer(null)
    const cancel = w.findAll('[data-test="conn-verify"] button').find((b) => b.text() === '取消')!
    await cancel.trigger('click')
    await flushPromises()
    expect(w.find('[data-test="conn-verify"]').exists()).toBe(false)
    expect(calls.some((c) => c.cmd === 'connect_server')).toBe(false)
    expect(store.info?.mode).toBe('local')
  })

  it('a server this PC knows with the same fingerprint: connects at once', async () => {
    const w = await chooseServer(FP.toLowerCase())
    expect(w.find('[data-test="conn-verify"]').exists()).toBe(false)
    expect(calls.filter((c) => c.cmd === 'connect_server').map((c) => c.args)).toEqual([{ url: URL, fingerprint: FP }])
    expect(store.info?.mode).toBe('server')
  })

  it('a changed fingerprint: a red warning, both fingerprints, and no way to connect', async () => {
    const w = await chooseServer(OLD)
    const warn = w.find('[data-test="conn-changed"]')
    expect(warn.attributes('role')).toBe('alert')
    expect(warn.text()).toContain('服务器指纹已变更')
    expect(warn.text()).toContain('冒充')
    expect(w.find('[data-test="conn-confirm"]').exists()).toBe(false)
    expect(w.findAll('button').some((b) => ['连接', '确认并连接'].includes(b.text()))).toBe(false)
    expect(calls.some((c) => c.cmd === 'connect_server')).toBe(false)
    expect(store.info?.mode).toBe('local')
  })

  it('a bad address: the Chinese message under the field', async () => {
    handlers.server_probe = () => {
      throw { code: 'validation', message: '输入有误', fields: [{ field: 'server', message: '服务器地址须以 https:// 开头' }] }
    }
    const w = mount(ServerChoice, { global: { plugins: [i18n] } })
    await w.find('[data-test="conn-server"]').trigger('click')
    await w.find('#conn-address').setValue('10.1.2.3:8443')
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(w.find('.field-error').text()).toBe('服务器地址须以 https:// 开头')
    expect(w.find('#conn-address').attributes('aria-invalid')).toBe('true')
  })

  it('an unreachable server: its message on the form, not the lost-connection banner', async () => {
    handlers.server_probe = lost
    const w = mount(ServerChoice, { global: { plugins: [i18n] } })
    await w.find('[data-test="conn-server"]').trigger('click')
    await w.find('#conn-address').setValue(URL)
    await w.find('form').trigger('submit')
    await flushPromises()
    expect(w.find('[data-test="conn-error"]').text()).toContain('无法连接服务器')
    expect(store.lost).toBe('')
  })

  it('back to this PC: connect_local, and the session ends', async () => {
    store.info = { ...onServer }
    store.session = { user_id: 1, name: 'a', role: 'admin' } as never
    handlers.connect_local = () => ({ ...local })
    const w = mount(ServerChoice, { global: { plugins: [i18n] } })
    expect(w.find('[data-test="conn-where"]').text()).toContain(URL)
    await w.find('[data-test="conn-local"]').trigger('click')
    await flushPromises()
    // The system's name is read again from the database now in use.
    expect(calls.map((c) => c.cmd)).toEqual(['connect_local', 'guide'])
    expect(store.info?.mode).toBe('local')
    expect(store.session).toBeNull()
    expect(w.emitted('connected')?.[0]?.[0]).toMatchObject({ mode: 'local' })
  })
})

describe('on a server already', () => {
  it('更换服务器 opens the address form (the login waits), 取消 keeps the current server', async () => {
    store.info = { ...onServer }
    const w = mount(ServerChoice, { global: { plugins: [i18n] } })
    expect(w.find('form').exists()).toBe(false)
    expect(w.emitted('update:pending')?.at(-1)).toEqual([false])
    await w.find('[data-test="conn-change"]').trigger('click')
    expect(w.find('form').exists()).toBe(true)
    expect((w.find('#conn-address').element as HTMLInputElement).value).toBe(URL)
    expect(w.emitted('update:pending')?.at(-1)).toEqual([true])
    await w.find('#conn-address').setValue('https://10.9.9.9:8443')
    await w.find('[data-test="conn-keep"]').trigger('click')
    expect(w.find('form').exists()).toBe(false)
    expect(w.emitted('update:pending')?.at(-1)).toEqual([false])
    expect(calls).toEqual([])
    expect(store.info?.server).toBe(URL)
  })
})
