import { call } from './core'
import type { AppInfo, Session } from './types'

export const appInfo = () => call<AppInfo>('app_info')
/** The first screen is painted and interactive (measured by `reopen-app --bench-startup`). */
export const uiReady = () => call<null>('ui_ready')
export const setLanguage = (lang: 'zh' | 'en') => call<void>('set_language', { lang })
export const firstRun = (adminName: string, password: string) =>
  call<void>('first_run', { adminName, password })
export const login = (name: string, password: string) => call<Session>('login', { name, password })
export const logout = () => call<void>('logout')
export const whoami = () => call<Session | null>('whoami')
export const changePassword = (current: string, next: string) =>
  call<void>('change_password', { current, next })
