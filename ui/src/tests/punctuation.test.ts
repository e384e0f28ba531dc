// Chinese typography in zh-CN.ts: full-width ，：；（）？！ in Chinese text. A half-width , : ; ( ) ? !
// is a failure when the nearest non-space character on either side is Chinese (a Han character or
// full-width punctuation). Placeholders ({n}, {'@'}), URLs and `code` spans are taken out first and
// count as Latin text, so "共 {n} 条", "如 app:8", "10:00" and "https://…" stay as they are; but a
// comma or semicolon between two placeholders of a Chinese message ({due},{missing}) is prose.
import { describe, expect, it } from 'vitest'
import zh from '../i18n/zh-CN'

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

const HALF = new Set([',', ':', ';', '(', ')', '?', '!'])
/** Han ideographs, CJK symbols and punctuation (、。「」…), full-width forms (，：；（）！？). */
const isChinese = (c: string | undefined) => !!c && /[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]/.test(c)

/** The half-width punctuation of `s` that touches Chinese text, each with a little context. */
export function halfWidthInChinese(s: string): string[] {
  const chinese = [...s].some(isChinese)
  const masked = s
    .replace(/\{[^}]*\}/g, '\u0000')
    .replace(/https?:\/\/\S+/g, 'X')
    .replace(/`[^`]*`/g, 'X')
  const chars = [...masked]
  const found: string[] = []
  chars.forEach((c, i) => {
    if (!HALF.has(c)) return
    let l = i - 1
    while (l >= 0 && chars[l] === ' ') l--
    let r = i + 1
    while (r < chars.length && chars[r] === ' ') r++
    // Between two placeholders ({due},{missing}) of a Chinese message, a comma or semicolon is prose.
    const betweenPlaceholders = chinese && (c === ',' || c === ';') && chars[l] === '\u0000' && chars[r] === '\u0000'
    if (isChinese(chars[l]) || isChinese(chars[r]) || betweenPlaceholders) found.push(chars.slice(Math.max(0, i - 4), i + 5).join(''))
  })
  return found
}

describe('Chinese punctuation in zh-CN', () => {
  it('the check finds half-width punctuation next to Chinese and leaves code, times and placeholders', () => {
    expect(halfWidthInChinese('口罩(只)')).toEqual(['口罩(只)', '口罩(只)'])
    expect(halfWidthInChinese('已报送,已提示')).toHaveLength(1)
    expect(halfWidthInChinese('统计范围:{scope}')).toHaveLength(1)
    expect(halfWidthInChinese('已导出 {file}')).toEqual([])
    expect(halfWidthInChinese('次日 {time} 前报送;之后')).toHaveLength(1)
    expect(halfWidthInChinese('记录（如 app:8）')).toEqual([])
    expect(halfWidthInChinese('一般为 10:00')).toEqual([])
    expect(halfWidthInChinese('见 https://example.org/a,b 说明')).toEqual([])
    expect(halfWidthInChinese('输入 `reopen form print 8 --kind receipt` 打印')).toEqual([])
    expect(halfWidthInChinese("{'@'}industry（企业所属行业主管部门）")).toEqual([])
    expect(halfWidthInChinese('Excel/CSV (UTF-8)')).toEqual([])
    expect(halfWidthInChinese('确认撤回?')).toHaveLength(1)
    expect(halfWidthInChinese('报送截止 {due},{missing} 起')).toHaveLength(1)
    expect(halfWidthInChinese('{a}, {b}')).toEqual([])
    expect(halfWidthInChinese('时间 {h}:{m}')).toEqual([])
  })

  it('every Chinese message uses full-width ，：；（）？！', () => {
    const bad = Object.entries(flatten(zh as unknown as Tree)).flatMap(([k, v]) => halfWidthInChinese(v).map((ctx) => `${k}: …${ctx}…`))
    expect(bad).toEqual([])
  })
})
