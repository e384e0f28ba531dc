// Policy (as policy_get returns it) → the TOML text policy_set takes. Key order follows the object,
// which is the file's order (the core keeps table order).
import type { Policy } from '../api/bindings/Policy'

const BARE = /^[A-Za-z0-9_-]+$/
function key(k: string): string {
  return BARE.test(k) ? k : JSON.stringify(k)
}
function value(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v)
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (Array.isArray(v)) return `[${v.map(value).join(', ')}]`
  throw new Error(`unsupported TOML value: ${JSON.stringify(v)}`)
}

export function policyToToml(p: Policy): string {
  const out: string[] = []
  const tables: [string, Record<string, unknown>][] = [
    ['categories', p.categories],
    ['earliest_reopening', p.earliest_reopening],
    ['mandatory_measures', p.mandatory_measures],
    ['optional_measures', p.optional_measures],
    ['key_areas', p.key_areas],
    ['supplies', p.supplies],
    ['review', p.review],
    ['daily_report', p.daily_report],
    ['certificate', p.certificate],
    ['roster', p.roster],
    ['phrases', p.phrases],
    ['contacts', p.contacts],
    ['system', p.system],
  ]
  for (const [name, t] of tables) {
    out.push(`[${name}]`)
    for (const [k, v] of Object.entries(t ?? {})) {
      if (v === null || v === undefined) continue
      out.push(`${key(k)} = ${value(v)}`)
    }
    out.push('')
  }
  return out.join('\n')
}
