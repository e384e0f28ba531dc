// An audit event's before/after (JSON as the core records it) as lines a county office reads:
// "复工方案 · 口罩（只）：280", never a raw key or code (issue 15). Labels come from the i18n section
// `auditFields`; codes (states, roles, categories, measures, departments…) through `names`.

export type Line = { label: string; value: string }

export type AuditNames = {
  /** The label of a key (`credit_code`) or of a key path joined by `_` (`headcount_local`). */
  label: (key: string) => string | undefined
  /** A code in words, by the key it stands under (`state`, `role`, `category`, `measures`…); undefined: as it is. */
  code: (key: string, value: string | number, path: readonly string[]) => string | undefined
  yes: string
  no: string
  none: string
}

const isIndex = (s: string) => /^\d+$/.test(s)

/**
 * The label of a path: the segments' labels joined by ·, a list's item number beside its list
 * (审核流程 2 · 名称); the keys after the last item number are labelled by their longest known
 * suffix joined by `_` (plan.headcount.local: `headcount_local`, 其中：本地员工).
 */
export function labelOf(path: readonly string[], names: Pick<AuditNames, 'label'>): string {
  const parts: string[] = []
  const last = path.reduce((n, s, i) => (isIndex(s) ? i : n), -1)
  path.slice(0, last + 1).forEach((seg) => {
    if (!isIndex(seg)) parts.push(names.label(seg) ?? seg)
    else if (parts.length) parts[parts.length - 1] += ` ${seg}`
  })
  const keys = path.slice(last + 1)
  for (let i = 0; i < keys.length; i++) {
    const hit = names.label(keys.slice(i).join('_'))
    if (hit === undefined) {
      parts.push(names.label(keys[i]) ?? keys[i])
      continue
    }
    parts.push(hit)
    break
  }
  return parts.join(' · ')
}

function valueOf(path: readonly string[], v: unknown, names: AuditNames): string {
  if (v === null || v === undefined || v === '') return names.none
  if (typeof v === 'boolean') return v ? names.yes : names.no
  const key = [...path].reverse().find((s) => !isIndex(s)) ?? ''
  if (typeof v === 'string' || typeof v === 'number') return names.code(key, v, path) ?? String(v)
  return JSON.stringify(v)
}

/** The lines of a before/after value; empty for none (the event made or deleted the record). */
export function auditLines(v: unknown, names: AuditNames): Line[] {
  const out: Line[] = []
  const walk = (x: unknown, path: string[]) => {
    if (Array.isArray(x)) {
      if (x.every((e) => e === null || typeof e !== 'object')) {
        const label = labelOf(path, names)
        out.push({ label, value: x.length ? x.map((e) => valueOf(path, e, names)).join('、') : names.none })
      } else x.forEach((e, i) => walk(e, [...path, String(i + 1)]))
    } else if (x !== null && typeof x === 'object') {
      for (const [k, e] of Object.entries(x)) walk(e, [...path, k])
    } else if (path.length) out.push({ label: labelOf(path, names), value: valueOf(path, x, names) })
    else if (x !== null && x !== undefined) out.push({ label: '', value: valueOf(path, x, names) })
  }
  walk(v, [])
  return out
}
