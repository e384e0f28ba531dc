// The logged-in session and app_info, shared by every screen.
import { reactive } from 'vue'
import * as api from '../api/session'
import * as conn from '../api/connection'
import { guide } from '../api/help'
import { onConnection } from '../api/core'
import type { AppInfo, Session } from '../api/types'
import type { Role } from '../api/bindings/Role'

export const store = reactive({
  info: null as AppInfo | null,
  infoError: '' as string,
  session: null as Session | null,
  restored: false,
  locked: false,
  /** In server mode, why the last command could not reach the server ('' while connected). */
  lost: '' as string,
  /** The system's name and motto from the policy in force (empty until known: the screens then
   * show the product's own name). */
  system: { name: '', motto: '' },
})

/**
 * Reads the system's name from the policy (the public guide, in both modes) and names the window
 * after it. A database not set up yet, or a server out of reach, keeps the product's own name.
 */
export async function loadSystemName(): Promise<void> {
  try {
    const g = await guide()
    store.system = { name: g.system.name, motto: g.system.motto }
    document.title = g.system.name
    const { getCurrentWindow } = await import('@tauri-apps/api/window')
    await getCurrentWindow().setTitle(g.system.name)
  } catch {
    // Not initialised, unreachable, or outside the app window: the defaults stand.
  }
}

/** True when the app works on a server (连接服务器) rather than this PC's database. */
export const serverMode = () => store.info?.mode === 'server'

// The lost-connection banner: set when a command cannot reach the server, cleared by the next
// command that succeeds. In local mode `unavailable` means the database file itself (its own
// message says so), not a connection.
onConnection((err) => {
  if (!err) store.lost = ''
  else if (serverMode()) store.lost = err.message
})

/** Switches to the server `url`, pinning `fingerprint`; the session (if any) has ended. */
export async function switchToServer(url: string, fingerprint: string): Promise<AppInfo> {
  const info = await conn.connectServer(url, fingerprint)
  store.info = info
  void loadSystemName()
  store.infoError = ''
  store.session = null
  store.restored = true
  store.locked = false
  store.lost = ''
  return info
}

/** Switches to this PC's embedded database; the session (if any) has ended. */
export async function switchToLocal(): Promise<AppInfo> {
  const info = await conn.connectLocal()
  store.info = info
  void loadSystemName()
  store.infoError = ''
  store.session = null
  store.restored = true
  store.locked = false
  store.lost = ''
  return info
}

export async function loadInfo(force = false): Promise<AppInfo | null> {
  if (store.info && !force) return store.info
  try {
    store.info = await api.appInfo()
    store.infoError = ''
    void loadSystemName()
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
