// The audit log's detail in words: keys labelled in Chinese, codes named, lists and nesting kept
// readable; nothing raw when a label exists.
import { describe, expect, it } from 'vitest'
import { auditLines, labelOf, type AuditNames } from '../lib/auditDetail'
import zh from '../i18n/zh-CN'

const labels = zh.auditFields as Record<string, string>
const names: AuditNames = {
  label: (k) => labels[k],
  code: (key, v, path) => {
    if (key === 'state') return (zh.states as Record<string, string>)[String(v)]
    if (key === 'departments' && path.includes('stages')) return ({ 21: '雨城区商务局' } as Record<string, string>)[String(v)]
    return undefined
  },
  yes: '是',
  no: '否',
  none: '—',
}

describe('the audit detail', () => {
  it('labels keys, nested keys by their longest known suffix, and list items with their number', () => {
    expect(labelOf(['credit_code'], names)).toBe('统一社会信用代码')
    expect(labelOf(['plan', 'headcount', 'local'], names)).toBe('复工方案 · 其中：本地员工')
    expect(labelOf(['plan', 'supplies', 'masks'], names)).toBe('复工方案 · 口罩（只）')
    expect(labelOf(['principal', 'phone'], names)).toBe('主要负责人手机号码')
    expect(labelOf(['stages', '2', 'name'], names)).toBe('审核流程 2 · 名称')
    expect(labelOf(['mystery_key'], names)).toBe('mystery_key')
  })

  it('names codes, says yes/no and — , joins lists with 、', () => {
    const lines = auditLines(
      {
        state: 'returned',
        opinion: '请补充口罩储备',
        approved_headcount: null,
        city_managed: false,
        conditions: ['每日报送', '错峰上班'],
        stages: [{ departments: [21], name: '行业主管部门审核', quorum: 1 }],
        warnings: [],
      },
      names,
    )
    expect(lines).toEqual([
      { label: '状态', value: '退回补正' },
      { label: '审核意见', value: '请补充口罩储备' },
      { label: '核定复工人数', value: '—' },
      { label: '市管企业', value: '否' },
      { label: '附加条件', value: '每日报送、错峰上班' },
      { label: '审核流程 1 · 部门', value: '雨城区商务局' },
      { label: '审核流程 1 · 名称', value: '行业主管部门审核' },
      { label: '审核流程 1 · 需同意的部门数', value: '1' },
      { label: '提示', value: '—' },
    ])
  })

  it('shows nothing for an event without a before (a record made) and the value of a bare one', () => {
    expect(auditLines(null, names)).toEqual([])
    expect(auditLines('x', names)).toEqual([{ label: '', value: 'x' }])
  })

  it('every key the demo’s audit events use has a Chinese label', () => {
    // The keys seen in `reopen init --demo`'s audit log (before and after, nested ones by path).
    const seen = [
      ['address'], ['app_state'], ['application'], ['approved_headcount'], ['conditions'], ['contact', 'name'], ['contact', 'phone'],
      ['created_at'], ['credit_code'], ['date'], ['department'], ['division'], ['division_name'], ['divisions'], ['departments'],
      ['fever'], ['file'], ['firm'], ['flags'], ['headcount'], ['id'], ['industries'], ['industry'], ['industry_name'],
      ['legal_representative'], ['mode'], ['name'], ['number'], ['opinion'], ['plan', 'category'], ['plan', 'commitment', 'accepted'],
      ['plan', 'commitment', 'date'], ['plan', 'commitment', 'signed_by'], ['plan', 'emergency_plan'], ['plan', 'headcount', 'elsewhere'],
      ['plan', 'headcount', 'key_area'], ['plan', 'headcount', 'key_area_observed_14d'], ['plan', 'headcount', 'local'],
      ['plan', 'headcount', 'planned'], ['plan', 'headcount', 'symptomatic'], ['plan', 'headcount', 'under_observation'],
      ['plan', 'measures'], ['plan', 'measures_note'], ['plan', 'planned_date'], ['plan', 'supplies', 'disinfectant_litres'],
      ['plan', 'supplies', 'gloves'], ['plan', 'supplies', 'masks'], ['plan', 'supplies', 'thermometers'], ['principal', 'name'],
      ['principal', 'phone'], ['report'], ['role'], ['roster_count'], ['staff_on_site'], ['staff_total'], ['city_managed'], ['stage'],
      ['stages', '1', 'departments'], ['stages', '1', 'name'], ['stages', '1', 'quorum'], ['state'], ['submission_no'], ['task'],
      ['timeliness'], ['township'], ['updated_at'], ['version'], ['warnings'],
    ]
    const raw = seen.map((p) => labelOf(p, names)).filter((l) => /[a-z_]{2,}/.test(l))
    expect(raw).toEqual([])
  })
})
