import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import zh from '../i18n/zh-CN'
import en from '../i18n/en'

type Tree = { [k: string]: string | Tree }
function flatten(t: Tree, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(t)) {
    const key = prefix ? `${prefix}.${k}` : k
    if (typeof v === 'string') out[key] = v
    else Object.assign(out, flatten(v, key))
  }
  return out
}
const zhFlat = flatten(zh as unknown as Tree)
const enFlat = flatten(en as unknown as Tree)
const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort()

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f)
    if (statSync(p).isDirectory()) return f === 'bindings' || f === 'tests' ? [] : sources(p)
    return /\.(vue|ts)$/.test(f) && !f.endsWith('.d.ts') ? [p] : []
  })
}

describe('i18n', () => {
  it('every message compiles and renders in both languages (a bare @ or | is vue-i18n syntax)', () => {
    const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zh, en }, missingWarn: false, fallbackWarn: false })
    const t = i18n.global.t as (key: string, named?: Record<string, unknown>) => string
    for (const [locale, flat] of [['zh-CN', zhFlat], ['en', enFlat]] as const) {
      i18n.global.locale.value = locale
      for (const [k, v] of Object.entries(flat)) {
        const named = Object.fromEntries(params(v).map((p) => [p, `<${p}>`]))
        let out = ''
        expect(() => (out = t(k, named)), `${locale} ${k}`).not.toThrow()
        expect(out, `${locale} ${k}`).not.toBe(k)
        for (const p of params(v)) expect(out, `${locale} ${k}`).toContain(`<${p}>`)
      }
    }
  })
  it('every Chinese key exists in English, and no English key is extra', () => {
    expect(Object.keys(zhFlat).filter((k) => !(k in enFlat))).toEqual([])
    expect(Object.keys(enFlat).filter((k) => !(k in zhFlat))).toEqual([])
  })
  it('no message is empty and placeholders agree', () => {
    for (const [k, v] of Object.entries(zhFlat)) {
      expect(v.trim(), k).not.toBe('')
      expect(enFlat[k].trim(), k).not.toBe('')
      expect(params(enFlat[k]), k).toEqual(params(v))
    }
  })
  it('the glossary words of domain.md are used', () => {
    const all = Object.values(zhFlat).join('\n')
    for (const w of ['企业', '复工复产申请', '复工类别', '行业主管部门', '审核环节', '同意', '不同意', '退回补正', '核定复工人数', '复工复产批准通知书', '员工花名册', '承诺书', '操作日志']) {
      expect(all, w).toContain(w)
    }
  })
  it('every literal key the screens use exists', () => {
    const src = join(__dirname, '..')
    const missing: string[] = []
    for (const file of sources(src)) {
      const text = readFileSync(file, 'utf8')
      for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z0-9_.]+)'/g)) {
        if (!(m[1] in zhFlat)) missing.push(`${file.slice(src.length)}: ${m[1]}`)
      }
      for (const m of text.matchAll(/label: '([a-z]+\.[a-zA-Z0-9_.]+)'/g)) {
        if (!(m[1] in zhFlat)) missing.push(`${file.slice(src.length)}: ${m[1]}`)
      }
    }
    expect(missing).toEqual([])
  })
})
