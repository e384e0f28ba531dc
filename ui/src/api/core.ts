// The one place that talks to the Rust side. Every wrapper in this folder goes through `call`.
import { invoke } from '@tauri-apps/api/core'

export type ErrorCode =
  | 'validation'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  /** The database cannot be reached or is not this program's (a server down, a newer schema). */
  | 'unavailable'
  | 'internal'
  | 'unauthenticated'
  /** Logged in with an initial or reset password: only changing it (or logging out) is allowed. */
  | 'must_change_password'

/** A message as the core sends it: already in the UI language, or both languages. */
export type WireText = string | { zh: string; en: string }

export type ApiFieldError = { field: string; message: string }

/** What every command rejects with, normalised. */
export class ApiError extends Error {
  readonly code: ErrorCode
  readonly fields: ApiFieldError[]
  constructor(code: ErrorCode, message: string, fields: ApiFieldError[] = []) {
    super(message)
    this.name = 'ApiError'
    this.code = code
    this.fields = fields
  }
}

let currentLang: 'zh' | 'en' = 'zh'
/** Which language to pick when the core sends `{zh, en}` (set by the i18n module). */
export function setWireLanguage(lang: 'zh' | 'en') {
  currentLang = lang
}
export function pickText(t: WireText | null | undefined, lang: 'zh' | 'en' = currentLang): string {
  if (t == null) return ''
  if (typeof t === 'string') return t
  return (lang === 'en' ? t.en : t.zh) || t.zh || t.en || ''
}

const CODES: ErrorCode[] = [
  'validation',
  'forbidden',
  'not_found',
  'conflict',
  'unavailable',
  'internal',
  'unauthenticated',
  'must_change_password',
]

/** Turns whatever a command rejected with into an ApiError (also accepts the CLI's `{error:{kind,…}}`). */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e
  if (typeof e === 'string') return new ApiError('internal', e)
  if (e && typeof e === 'object') {
    const o = (('error' in e && typeof (e as { error: unknown }).error === 'object'
      ? (e as { error: object }).error
      : e) as Record<string, unknown>)
    const rawCode = (o.code ?? o.kind) as string | undefined
    const code = CODES.includes(rawCode as ErrorCode) ? (rawCode as ErrorCode) : 'internal'
    const message = pickText(o.message as WireText) || String(rawCode ?? 'error')
    const fields = Array.isArray(o.fields)
      ? (o.fields as { field?: unknown; message?: unknown }[]).map((f) => ({
          field: String(f.field ?? ''),
          message: pickText(f.message as WireText),
        }))
      : []
    return new ApiError(code, message, fields)
  }
  return new ApiError('internal', String(e))
}

type Listener = (err: ApiError) => void
const unauthenticatedListeners: Listener[] = []
/** Called (by the session module) when a command says the session is gone. */
export function onUnauthenticated(l: Listener) {
  unauthenticatedListeners.push(l)
}

/**
 * The commands the shell answers on this PC without asking the database or the server: their
 * outcome says nothing about the connection (server_probe and connect_* try a server the user is
 * choosing, whose errors show on the connection form, not as a lost connection).
 */
export const LOCAL_COMMANDS: ReadonlySet<string> = new Set([
  'app_info',
  'ui_ready',
  'set_language',
  'app_mode',
  'server_probe',
  'connect_server',
  'connect_local',
])

type ConnectionListener = (lost: ApiError | null) => void
const connectionListeners: ConnectionListener[] = []
/**
 * Called after every command that needs the data: with the error when it could not reach them
 * (`unavailable`), with null when it succeeded (the connection is back; a refusal such as a
 * validation error may come from the shell itself, so it says nothing either way). The session module turns
 * it into the lost-connection banner.
 */
export function onConnection(l: ConnectionListener) {
  connectionListeners.push(l)
}

export async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  const remote = !LOCAL_COMMANDS.has(cmd)
  let out: T
  try {
    out = await invoke<T>(cmd, args)
  } catch (e) {
    const err = toApiError(e)
    if (err.code === 'unauthenticated') unauthenticatedListeners.forEach((l) => l(err))
    if (remote && err.code === 'unavailable') connectionListeners.forEach((l) => l(err))
    throw err
  }
  if (remote) connectionListeners.forEach((l) => l(null))
  return out
}

/** True when running inside the Tauri shell (false in a plain browser / tests). */
export function inTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window
}
