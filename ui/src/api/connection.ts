// Where the app's data lives: this PC's embedded database (本机数据库) or a city's server
// (连接服务器). The commands, and the pure rules the connection form follows.
import { call } from './core'
import type { AppInfo, ServerProbe } from './types'

/** Contacts `url` without trusting it: the fingerprint it shows and the one this PC remembered. */
export const serverProbe = (url: string) => call<ServerProbe>('server_probe', { url })
/** Pins `fingerprint` for `url` and switches to that server (any session ends). */
export const connectServer = (url: string, fingerprint: string) =>
  call<AppInfo>('connect_server', { url, fingerprint })
/** Switches to this PC's embedded database. */
export const connectLocal = () => call<AppInfo>('connect_local')

/**
 * What a probe means for the user:
 * - `known`: this PC connected to the address before and it shows the same fingerprint (connect at once);
 * - `new`: never connected: the user checks the fingerprint against the administrator's before trusting it;
 * - `changed`: it shows another fingerprint than the one remembered (maybe an impersonation): refuse.
 */
export type Verdict = 'known' | 'new' | 'changed'

/** A fingerprint's hex digits only, upper case (so `ab:cd`, `AB CD` and `ABCD` compare equal). */
export function fingerprintDigits(fp: string): string {
  return fp.replace(/[^0-9a-fA-F]/g, '').toUpperCase()
}

export function verdictOf(p: Pick<ServerProbe, 'fingerprint' | 'remembered'>): Verdict {
  if (p.remembered == null || fingerprintDigits(p.remembered) === '') return 'new'
  return fingerprintDigits(p.remembered) === fingerprintDigits(p.fingerprint) ? 'known' : 'changed'
}

/**
 * A fingerprint as the user compares it: `groups` lines of colon-separated pairs (a SHA-256
 * fingerprint, 32 pairs, in 4 lines of 8).
 */
export function fingerprintGroups(fp: string, groups = 4): string[] {
  const pairs = fingerprintDigits(fp).match(/.{1,2}/g) ?? []
  if (!pairs.length) return []
  const per = Math.ceil(pairs.length / groups)
  const out: string[] = []
  for (let i = 0; i < pairs.length; i += per) out.push(pairs.slice(i, i + per).join(':'))
  return out
}

/** The fingerprint's first group and an ellipsis: enough to recognise it in a status line. */
export function shortFingerprint(fp: string | null | undefined): string {
  if (!fp) return ''
  const g = fingerprintGroups(fp)
  return g.length > 1 ? `${g[0]}…` : (g[0] ?? '')
}
