import { describe, expect, it } from 'vitest'
import { fieldErrorMap, rosterRowErrors, stepOfField, unmatchedFields, useFieldErrors } from '../lib/fieldErrors'
import { ApiError, pickText, toApiError } from '../api/core'

describe('toApiError', () => {
  it('keeps the contract shape', () => {
    const e = toApiError({ code: 'validation', message: '输入有误', fields: [{ field: 'headcount.local', message: '不能为负数' }] })
    expect(e).toBeInstanceOf(ApiError)
    expect(e.code).toBe('validation')
    expect(e.message).toBe('输入有误')
    expect(e.fields).toEqual([{ field: 'headcount.local', message: '不能为负数' }])
  })
  it('reads the CLI shape and bilingual messages', () => {
    const e = toApiError({ error: { kind: 'conflict', message: { zh: '版本已变化', en: 'stale version' }, fields: [] } })
    expect(e.code).toBe('conflict')
    expect(e.message).toBe('版本已变化')
  })
  it('turns strings and unknown codes into internal errors', () => {
    expect(toApiError('boom').code).toBe('internal')
    expect(toApiError({ code: 'weird', message: 'x' }).code).toBe('internal')
    expect(toApiError({ code: 'unauthenticated', message: 'x' }).code).toBe('unauthenticated')
    expect(toApiError({ code: 'must_change_password', message: 'x' }).code).toBe('must_change_password')
  })
  it('picks the language of a {zh,en} text', () => {
    expect(pickText({ zh: '必填', en: 'required' }, 'en')).toBe('required')
    expect(pickText({ zh: '必填', en: 'required' }, 'zh')).toBe('必填')
    expect(pickText('已经是文本')).toBe('已经是文本')
    expect(pickText(null)).toBe('')
  })
})

describe('field error mapping', () => {
  const fields = [
    { field: 'headcount.local', message: '本地与外地人数之和应等于计划复工人数' },
    { field: 'commitment.signed_by', message: '必填' },
    { field: 'principal.phone', message: '手机号应为 11 位' },
    { field: 'principal.phone', message: '应以 1 开头' },
    { field: 'roster[5].id_number', message: '校验码错误' },
    { field: 'roster[2].phone', message: '手机号应为 11 位' },
    { field: 'roster', message: '员工花名册 3 人，与计划复工人数 5 人不一致' },
  ]
  it('maps each field path to its messages, joined', () => {
    const m = fieldErrorMap(fields)
    expect(m['headcount.local']).toContain('计划复工人数')
    expect(m['commitment.signed_by']).toBe('必填')
    expect(m['principal.phone']).toBe('手机号应为 11 位；应以 1 开头')
    expect(m['roster[5].id_number']).toBe('校验码错误')
  })
  it('lists roster row errors by row', () => {
    expect(rosterRowErrors(fields)).toEqual([
      { row: 2, column: 'phone', message: '手机号应为 11 位' },
      { row: 5, column: 'id_number', message: '校验码错误' },
    ])
  })
  it('finds errors no form item shows', () => {
    expect(unmatchedFields(fields, ['headcount.local', 'commitment.signed_by', 'principal.phone']).map((f) => f.field)).toEqual([
      'roster[5].id_number',
      'roster[2].phone',
      'roster',
    ])
  })
  it('knows the wizard step of each field', () => {
    expect(stepOfField('category')).toBe(1)
    expect(stepOfField('headcount.key_area_observed_14d')).toBe(1)
    expect(stepOfField('measures')).toBe(2)
    expect(stepOfField('measures[1]')).toBe(2)
    expect(stepOfField('supplies.masks')).toBe(2)
    expect(stepOfField('emergency_plan')).toBe(2)
    expect(stepOfField('roster[3].health')).toBe(3)
    expect(stepOfField('commitment.accepted')).toBe(4)
    expect(stepOfField('something_else')).toBe(-1)
  })
  it('useFieldErrors exposes messages per field and clears them', () => {
    const fe = useFieldErrors(['name'])
    const err = fe.set({ code: 'validation', message: '请修改', fields: [{ field: 'name', message: '必填' }, { field: 'x.y', message: '未知字段' }] })
    expect(err.code).toBe('validation')
    expect(fe.of('name')).toBe('必填')
    expect(fe.of('other')).toBe('')
    expect(fe.state.general).toBe('请修改')
    expect(fe.state.extra.map((f) => f.field)).toEqual(['x.y'])
    fe.clear()
    expect(fe.of('name')).toBe('')
  })
})
