// The firm's message centre (站内消息) and the papers of its status page.
import { ref } from 'vue'
import { call } from './core'
import type { Messages } from './bindings/Messages'
import type { AppPath } from './bindings/AppPath'

export const messages = () => call<Messages>('messages')
/** Marks messages read (every message when `keys` is empty); returns how many were new. */
export const messagesRead = (keys: string[]) => call<number>('messages_read', { keys })
export const appPath = (id: number) => call<AppPath>('app_path', { id })
/** Writes the firm's own copy of its certificate to `path` (.pdf); returns its size in bytes. */
export const appCertificateCopy = (applicationId: number, path: string) =>
  call<number>('app_certificate_copy', { applicationId, path })

/** The unread count the menu's badge shows (firm users only). */
export const unread = ref(0)
export async function refreshUnread(): Promise<void> {
  try {
    unread.value = (await messages()).unread
  } catch {
    unread.value = 0
  }
}
