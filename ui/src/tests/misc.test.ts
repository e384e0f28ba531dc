import { describe, expect, it } from 'vitest'
import { splitPage } from '../lib/paged'
import { policyToToml } from '../lib/policyToml'
import { today } from '../lib/format'
import type { Policy } from '../api/bindings/Policy'

describe('paging', () => {
  it('asks one row more to know if there is a next page', () => {
    expect(splitPage([1, 2, 3], 2)).toEqual({ rows: [1, 2], hasMore: true })
    expect(splitPage([1, 2], 2)).toEqual({ rows: [1, 2], hasMore: false })
  })
})

describe('policy → TOML', () => {
  const p: Policy = {
    categories: { production: '企业生产必需', general: '其他企业' },
    earliest_reopening: { '83': '2020-02-17' },
    mandatory_measures: { masks: '出入公共场所佩戴口罩' },
    optional_measures: { disinfection: '工作场所每日消毒' },
    key_areas: { observation_days: 14, regions: ['湖北省'] },
    supplies: { min_days: 7, masks_per_person_per_day: 2 },
    review: { mode: 'approval', sla_hours: 24, green_channel_sla_hours: 8, green_channel: ['production'], countersign: true, parallel_fgw_for: [] },
    daily_report: { due_next_day_by: '10:00', missing_after_days: 3 },
    certificate: { number_format: '{short}复工〔{year}〕{seq:04}号', title: '复工复产批准通知书' },
    roster: { max_rows: 20000 },
    phrases: { approve: ['同意复工。'], return: ['请补充口罩储备。'], reject: [], conditions: ['按核定复工人数复工，不得超员。'] },
    contacts: { 雨城区商务局: '0835-2222222' },
    system: { name: '雅安市企业复工复产审批', motto: '一企一策' },
  }
  it('writes every table in order with quoted keys where needed', () => {
    const s = policyToToml(p)
    expect(s).toContain('[categories]\nproduction = "企业生产必需"\ngeneral = "其他企业"')
    expect(s).toContain('[earliest_reopening]\n83 = "2020-02-17"')
    expect(s).toContain('regions = ["湖北省"]')
    expect(s).toContain('countersign = true')
    expect(s).toContain('parallel_fgw_for = []')
    expect(s).toContain('number_format = "{short}复工〔{year}〕{seq:04}号"')
    expect(s.indexOf('[review]')).toBeLessThan(s.indexOf('[certificate]'))
    expect(s).toContain('[roster]\nmax_rows = 20000')
    expect(s).toContain('[phrases]\napprove = ["同意复工。"]\nreturn = ["请补充口罩储备。"]\nreject = []')
    expect(s).toContain('[contacts]\n"雨城区商务局" = "0835-2222222"')
    expect(s).toContain('[system]\nname = "雅安市企业复工复产审批"\nmotto = "一企一策"')
  })
})

describe('dates', () => {
  it('today is the Asia/Shanghai date', () => {
    expect(today(new Date('2020-02-04T17:00:00Z'))).toBe('2020-02-05')
    expect(today(new Date('2020-02-04T15:00:00Z'))).toBe('2020-02-04')
  })
})
