// The logged-in session and app_info, shared by every screen.
import { reactive } from 'vue'
import * as api from '../api/session'
import type { AppInfo, Session } from '../api/types'
import type { Role } from '../api/bindings/Role'

export const store = reactive({
  info: null as AppInfo | null,
  infoError: '' as string,
  session: null as Session | null,
  restored: false,
  locked: false,
})

export async function loadInfo(force = false): Promise<AppInfo | null> {
  if (store.info && !force) return store.info
  try {
    store.info = await api.appInfo()
    store.infoError = ''
  } catch (e) {
    store.infoError = e instanceof Error ? e.message : String(e)
  }
  return store.info
}

/** Picks up a session the shell still holds (e.g. after a webview reload). */
export async function restoreSession(): Promise<Session | null> {
  if (!store.restored) {
    store.restored = true
    try {
      store.session = await api.whoami()
    } catch {
      store.session = null
    }
  }
  return store.session
}

export async function logIn(name: string, password: string): Promise<Session> {
  const s = await api.login(name, password)
  store.session = s
  store.locked = false
  return s
}

export async function logOut() {
  try {
    await api.logout()
  } finally {
    store.session = null
    store.locked = false
  }
}

/** The landing page of each role. */
export function homeFor(role: Role | string | undefined): string {
  switch (role) {
    case 'firm':
      return '/firm'
    case 'reviewer':
      return '/review'
    case 'clerk':
      return '/clerk/intake'
    case 'leader':
      return '/dashboard'
    case 'admin':
      return '/admin/users'
    default:
      return '/login'
  }
}
