import { describe, expect, it } from 'vitest'
import { emptyPlanForm, formToPlanJson, maxApprovable, planToForm, supplyDays } from '../lib/planForm'
import type { Plan } from '../api/bindings/Plan'

// plan.json of cli.md
const PLAN: Plan = {
  category: 'production',
  planned_date: '2020-02-10',
  headcount: { planned: 80, local: 60, elsewhere: 20, key_area: 3, key_area_observed_14d: 2, under_observation: 1, symptomatic: 0 },
  measures: ['temperature_monitoring', 'masks', 'disinfection'],
  measures_note: '...',
  supplies: { masks: 2000, thermometers: 5, disinfectant_litres: 50, gloves: 500 },
  emergency_plan: '...',
  commitment: { signed_by: '张三', date: '2020-02-05', accepted: true },
}

describe('plan form ↔ plan.json', () => {
  it('round-trips the example plan of cli.md exactly', () => {
    expect(formToPlanJson(planToForm(PLAN))).toEqual(PLAN)
  })
  it('an empty form is an empty (partial) plan', () => {
    expect(formToPlanJson(emptyPlanForm())).toEqual({})
  })
  it('leaves out what was not filled in, keeps zeros that were typed', () => {
    const f = emptyPlanForm()
    f.category = 'general'
    f.headcount.planned = 10
    f.headcount.key_area = 0
    f.supplies.masks = 300
    f.measures_note = '   '
    expect(formToPlanJson(f)).toEqual({ category: 'general', headcount: { planned: 10, key_area: 0 }, supplies: { masks: 300 } })
  })
  it('a fresh draft shows zero counts as empty inputs', () => {
    const draft: Plan = { ...PLAN, category: null, planned_date: null, commitment: null, headcount: { ...PLAN.headcount, planned: 0, symptomatic: 0 } }
    const f = planToForm(draft, true)
    expect(f.headcount.planned).toBeNull()
    expect(f.headcount.local).toBe(60)
    expect(f.category).toBe('')
    expect(f.commitment).toEqual({ signed_by: '', date: '', accepted: false })
    expect(formToPlanJson(f).headcount).not.toHaveProperty('planned')
  })
  it('sends a started commitment so the core can say what is missing', () => {
    const f = emptyPlanForm()
    f.commitment.signed_by = ' 张三 '
    expect(formToPlanJson(f).commitment).toEqual({ signed_by: '张三', accepted: false })
    f.commitment.date = '2020-02-05'
    f.commitment.accepted = true
    expect(formToPlanJson(f).commitment).toEqual({ signed_by: '张三', date: '2020-02-05', accepted: true })
  })
  it('does not share arrays with the form', () => {
    const f = planToForm(PLAN)
    const p = formToPlanJson(f)
    f.measures.push('ventilation')
    expect(p.measures).toHaveLength(3)
  })
})

describe('approvable headcount', () => {
  it('is planned less key-area staff not yet through observation', () => {
    expect(maxApprovable(PLAN.headcount)).toBe(79)
    expect(maxApprovable({ ...PLAN.headcount, key_area: 0, key_area_observed_14d: 0 })).toBe(80)
    expect(maxApprovable({ ...PLAN.headcount, planned: 2, key_area: 5, key_area_observed_14d: 0 })).toBe(0)
  })
  it('supply days follow the policy rate', () => {
    expect(supplyDays(2000, 80, 2)).toBe(12)
    expect(supplyDays(100, 0)).toBeNull()
  })
})
